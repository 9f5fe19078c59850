/* Running an operator's reload command, bounded in time. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/status.h"
#include "hook.h"

int
hook_run(const char *command, unsigned timeout, struct diag *d)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };
	unsigned long waited_ms = 0;
	int wstatus;
	pid_t pid, got;

	pid = fork();
	if (pid < 0) {
		diag_set(d, NULL, 0, "reload command: cannot start: %s",
		    strerror(errno));
		return STATUS_HOOK;
	}
	if (pid == 0) {
		/* Its own process group, so that a timeout stops its children too. */
		setpgid(0, 0);
		/* Data goes to our stderr: stdout may be a pipe someone reads. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		got = waitpid(pid, &wstatus, WNOHANG);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			diag_set(d, NULL, 0, "reload command: %s", strerror(errno));
			return STATUS_HOOK;
		}
		if (waited_ms >= (unsigned long)timeout * 1000) {
			kill(-pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			diag_set(d, NULL, 0, "reload command '%s' did not finish "
			    "within %u s and was stopped", command, timeout);
			return STATUS_HOOK;
		}
		nanosleep(&step, NULL);
		waited_ms += 20;
	}
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		return 0;
	if (WIFEXITED(wstatus))
		diag_set(d, NULL, 0, "reload command '%s' failed with exit "
		    "code %d", command, WEXITSTATUS(wstatus));
	else
		diag_set(d, NULL, 0, "reload command '%s' ended by signal %d",
		    command, WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
	return STATUS_HOOK;
}
