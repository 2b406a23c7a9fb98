"""Robustness checks: the audited model's decisions under small changes of its inputs."""
