"""The one exception type whose message is shown to the user as is (in Russian)."""


class UserError(Exception):
    """Bad input or a state the user can fix; the CLI prints it without a traceback."""

    exit_code = 1


class SourceBlocked(UserError):
    """The source refused us (captcha): what was fetched before is kept."""

    exit_code = 3
