"""From run records to verdicts and reports: verdict/, formats/, page/, figures/."""
