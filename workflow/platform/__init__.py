"""The platform operator: every town's health for whoever runs the deployment, no personal data.

``operators`` (accounts, from the command line), ``auth`` (sign-in with lockout) and
``health`` (per-town aggregates, each town read in a transaction of its own).
"""
