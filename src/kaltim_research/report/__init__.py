"""Results to reports: results files, charts, notebook API, runner, briefs."""
