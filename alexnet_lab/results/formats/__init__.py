"""One sweep's report in each format: summary.json, report.md, tables, terminal, HTML, W&B."""
