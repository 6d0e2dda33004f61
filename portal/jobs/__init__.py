"""Background jobs on a Huey queue: in the instance folder (SQLite) by default, in Redis when
`REDIS_URL` is set. `flask --app portal jobs` (portal.ops.jobs_cli) runs the consumer and the
periodic jobs (portal.ops.periodic); `make run` starts it."""
from portal.jobs.queue import current_job_id, huey, init_queue, job, periodic_job, \
    queue_figures

__all__ = ["current_job_id", "huey", "init_queue", "job", "periodic_job", "queue_figures"]
