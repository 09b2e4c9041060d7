"""Scripts behind the make targets (run, evaluate, benchmark) and their helpers."""
