"""The demo world (one account per role) and the bulk generator of realistic reports. It
depends on every app and re-implements none of their rules."""
