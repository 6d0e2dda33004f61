"""Personal data rights (PIPL), above the stages: downloading everything the portal holds about
a person, erasing the account, purging after the retention period. It reads and erases what
every stage keeps, so no stage imports it."""
