{{/* Names and labels, as `helm create` makes them. */}}
{{- define "auditor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "auditor.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "auditor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "auditor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "auditor.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "auditor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: daemon
{{- end }}

{{- define "auditor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "auditor.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "auditor.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where things are inside the pod. */}}
{{- define "auditor.configDir" -}}/etc/auditor{{- end }}
{{- define "auditor.rulesDir" -}}/etc/auditor/rules{{- end }}
{{- define "auditor.secretsDir" -}}/var/run/secrets/auditor{{- end }}

{{/* "true" when some in_cluster gke source reads this cluster's API. */}}
{{- define "auditor.inClusterSource" -}}
{{- range (.Values.config.sources | default list) }}
{{- if and (eq (toString .type) "gke") .in_cluster (ne (toString .enabled) "false") }}true{{- end }}
{{- end }}
{{- end }}

{{/* "true" when the pod calls the Kubernetes API, so it gets a (projected) token. */}}
{{- define "auditor.needsApiToken" -}}
{{- if or .Values.leaderElection.enabled (include "auditor.inClusterSource" .) }}true{{- end }}
{{- end }}

{{/*
auditor.yaml: the user's config with what the pod layout decides laid over it.
*/}}
{{- define "auditor.config" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- $daemon := get $config "daemon" | default dict }}
{{- $_ := set $daemon "listen_address" "0.0.0.0" }}
{{- $_ = set $daemon "port" (int .Values.metrics.port) }}
{{- if .Values.leaderElection.enabled }}
{{- $_ = set $daemon "leader_election" (dict
      "enabled" true
      "namespace" .Release.Namespace
      "lease_name" (include "auditor.fullname" .)
      "lease_seconds" .Values.leaderElection.leaseSeconds
      "renew_seconds" .Values.leaderElection.renewSeconds) }}
{{- else }}
{{- $_ = set $daemon "leader_election" (dict "enabled" false) }}
{{- end }}
{{- with .Values.secrets.slackWebhook.existingSecret }}
{{- $notifications := get $daemon "notifications" | default dict }}
{{- $slack := get $notifications "slack" | default dict }}
{{- $_ = set $slack "webhook_url" (dict "file" (printf "%s/slack-webhook/%s" (include "auditor.secretsDir" $) $.Values.secrets.slackWebhook.key)) }}
{{- $_ = set $notifications "slack" $slack }}
{{- $_ = set $daemon "notifications" $notifications }}
{{- end }}
{{- $_ = set $config "daemon" $daemon }}
{{- $state := get $config "state" | default dict }}
{{- $_ = set $state "path" (printf "%s/state.db" .Values.stateStore.mountPath) }}
{{- $_ = set $config "state" $state }}
{{- if .Values.customRules }}
{{- $rules := get $config "rules" | default dict }}
{{- $paths := get $rules "paths" | default list }}
{{- $_ = set $rules "paths" (append $paths (include "auditor.rulesDir" .) | uniq) }}
{{- $_ = set $config "rules" $rules }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/* Guards that turn a values mistake into one clear error at install time. */}}
{{- define "auditor.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled: true, or every replica would send each notification" }}
{{- end }}
{{- $slack := dig "daemon" "notifications" "slack" nil (.Values.config | default dict) }}
{{- if and $slack (not .Values.secrets.slackWebhook.existingSecret) }}
{{- if not (kindIs "map" (get $slack "webhook_url")) }}
{{- fail "config.daemon.notifications.slack needs its webhook from a Secret: set secrets.slackWebhook.existingSecret (and .key)" }}
{{- end }}
{{- end }}
{{- end }}
