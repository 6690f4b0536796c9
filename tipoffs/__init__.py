"""Public tip-offs (Art. 6): the form anyone may fill in without logging in, and their
triage at the national CAC and the provincial CAC of the province named."""
