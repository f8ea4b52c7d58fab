"""The one exception the fake hub raises: its message says what to do."""


class HubError(RuntimeError):
    """The fake hub cannot be used; nothing was sent anywhere but loopback."""
