"""Views across sweeps: the results page, the paper report, sweeps side by side."""
