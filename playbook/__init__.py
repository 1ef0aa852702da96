"""playbook: a static-site generator for Strategic Selling sales playbooks."""

__version__ = "0.1.0"
