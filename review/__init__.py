"""Review: the receiving and national queues, every action of the authorities on a report,
and the report page that offers them."""
