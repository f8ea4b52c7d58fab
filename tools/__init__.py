"""The lint's checks of environment.yml and the workflows, run by nox -s lint."""
