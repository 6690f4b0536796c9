"""In-app notifications (the bell) and their e-mail."""
