"""The clock services: `clocks` opens, meets and cancels clocks (called by the report
services); `engine` acts on due clocks (reminders, the automatic forward, breaches) and runs
the sweep (called by the tasks)."""
