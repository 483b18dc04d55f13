"""The live demo: real services on 127.0.0.1 (MariaDB, tansu, Airflow 3) and the daemon over them.

The service starters here are also what the integration tests and benchmarks start, so the
demo shows exactly the estates the tests judge. Nothing is imported at package import time
beyond the standard library: `auditor demo` pays for a service's client only when it starts it.
"""
