"""The review side's web pages: the queues, the report page with its actions, requiring a
report. Thin views: forms parse, one service per action writes, selectors read (through
`report_list`, the one visibility primitive: not visible is a 404)."""
