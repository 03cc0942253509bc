"""gunicorn reads this file from the working directory (the repository root; /app in the image).

It holds one rule: more than one worker starts only with a shared DASH_SECRET_KEY
(``dashboard.security.secret_key_problem``). The command line still sets the rest.
"""

from dashboard.security import secret_key_problem


def on_starting(server) -> None:
    """Stop before any worker starts; gunicorn prints "Error: <reason>" and exits with 1."""
    problem = secret_key_problem(server.cfg.workers)
    if problem:
        raise RuntimeError(problem)
