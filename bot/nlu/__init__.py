"""Custom NLU components that run inside the Rasa pipeline."""
