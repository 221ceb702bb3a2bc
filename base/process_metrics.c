/*
 * process_* metrics from /proc/self/stat, /proc/stat (boot time), /proc/self/fd and the
 * RLIMIT_NOFILE limit. Reads a few small files per scrape; keeps no state, never logs.
 */
#include "base/process_metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct proc_stat {
    unsigned long long utime, stime, starttime, vsize;
    long long rss;
};

/* Fields 14-15 and 22-24 of /proc/self/stat; the command name (field 2) may hold spaces and
 * parentheses, so parsing starts after its last ')'. */
static int read_stat(struct proc_stat *s)
{
    char line[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = 0;
    const char *p = strrchr(line, ')');
    if (!p)
        return -1;
    /* after ')': 3 state, 4 ppid ... 14 utime 15 stime ... 22 starttime 23 vsize 24 rss */
    int got = sscanf(p + 1,
                     " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d"
                     " %*d %llu %llu %lld",
                     &s->utime, &s->stime, &s->starttime, &s->vsize, &s->rss);
    return got == 5 ? 0 : -1;
}

/* Boot time in Unix seconds from the btime line of /proc/stat; -1 when absent. */
static long long boot_time(void)
{
    char line[256];
    long long bt = -1;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "btime %lld", &bt) == 1)
            break;
    fclose(f);
    return bt;
}

/* Open descriptors, not counting the one that reads the directory. */
static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;
}

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void process_metrics_render(struct buf *b)
{
    struct proc_stat s;
    long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    if (read_stat(&s) == 0 && tick > 0) {
        family(b, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
        buf_printf(b, "process_cpu_seconds_total %.2f\n", (double)(s.utime + s.stime) / tick);
        family(b, "process_resident_memory_bytes", "gauge", "Resident memory size.");
        buf_printf(b, "process_resident_memory_bytes %lld\n", s.rss * page);
        family(b, "process_virtual_memory_bytes", "gauge", "Virtual memory size.");
        buf_printf(b, "process_virtual_memory_bytes %llu\n", s.vsize);
        long long bt = boot_time();
        if (bt > 0) {
            family(b, "process_start_time_seconds", "gauge",
                   "Start time of the process since the Unix epoch.");
            buf_printf(b, "process_start_time_seconds %.2f\n",
                       (double)bt + (double)s.starttime / tick);
        }
    }
    long fds = open_fds();
    if (fds >= 0) {
        family(b, "process_open_fds", "gauge", "Open file descriptors.");
        buf_printf(b, "process_open_fds %ld\n", fds);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        family(b, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
        if (rl.rlim_cur == RLIM_INFINITY)
            buf_puts(b, "process_max_fds +Inf\n");
        else
            buf_printf(b, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
    }
}
