"""Writes of the review side: every action of a receiving reviewer or a national official
checks the caller's roles and the report's state through `reports.workflow`, locks the
report, writes a ReportEvent and notifies after commit."""
