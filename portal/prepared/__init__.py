"""Files prepared by a job for the organizer who asked (a large contest's export): a progress
bar while the job runs, a download when it is done, deletion by the scheduler when it expires."""
