"""NetworkPolicy facts: which pods a policy isolates, and whether it is a namespace default-deny.

Two mistakes other tools make are avoided on purpose: an empty `podSelector: {}` selects every
pod in the namespace (and an omitted one defaults to `{}`), and a policy with no rules at all is
a deny-all that isolates the pods it selects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.k8s.objects import K8sObject, mapping, sequence
from auditor.k8s.selectors import is_empty_selector, selector_matches

INGRESS = "Ingress"
EGRESS = "Egress"


@dataclass(frozen=True, slots=True)
class NetworkPolicyFacts:
    """What one NetworkPolicy means for the pods of its namespace."""

    name: str
    pod_selector: Mapping[str, Any]
    policy_types: frozenset[str]
    allows_all: frozenset[str]

    @property
    def selects_all_pods(self) -> bool:
        """True when the podSelector is empty, so every pod in the namespace is selected."""
        return is_empty_selector(self.pod_selector)

    def selects(self, pod_labels: Mapping[str, str]) -> bool:
        """Whether the policy applies to pods with these labels."""
        return selector_matches(self.pod_selector, pod_labels)

    def denies_by_default(self, direction: str) -> bool:
        """True when it isolates every pod for `direction` without an allow-everything rule."""
        return (
            self.selects_all_pods
            and direction in self.policy_types
            and direction not in self.allows_all
        )


def network_policy_facts(obj: K8sObject) -> NetworkPolicyFacts:
    """The facts of one NetworkPolicy object."""
    spec = obj.spec
    selector = spec.get("podSelector")
    ingress = sequence(spec.get("ingress"))
    egress = sequence(spec.get("egress"))
    given_types = spec.get("policyTypes")
    if isinstance(given_types, list) and given_types:
        types = frozenset(str(t) for t in given_types)
    else:
        # The API server's default: Ingress always, Egress when egress rules exist.
        types = frozenset({INGRESS} | ({EGRESS} if egress else set()))
    allows_all = set()
    if any(_allows_everything(mapping(r), "from") for r in ingress):
        allows_all.add(INGRESS)
    if any(_allows_everything(mapping(r), "to") for r in egress):
        allows_all.add(EGRESS)
    return NetworkPolicyFacts(
        name=obj.name,
        pod_selector=selector if isinstance(selector, Mapping) else {},
        policy_types=types,
        allows_all=frozenset(allows_all),
    )


def _allows_everything(rule: Mapping[str, Any], peers_key: str) -> bool:
    # A rule with no peers and no ports admits all traffic in that direction.
    return not sequence(rule.get(peers_key)) and not sequence(rule.get("ports"))


def default_deny(policies: list[NetworkPolicyFacts]) -> dict[str, bool]:
    """{ingress, egress}: whether some policy of the namespace is a default-deny for each."""
    return {
        "ingress": any(p.denies_by_default(INGRESS) for p in policies),
        "egress": any(p.denies_by_default(EGRESS) for p in policies),
    }
