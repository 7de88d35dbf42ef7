"""Case scaffolding: a new case folder to fill in, and the synthetic illustrative corpus."""
