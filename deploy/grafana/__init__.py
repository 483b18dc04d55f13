"""The Grafana dashboard, generated from code (deploy/grafana/dashboard.py)."""
