/*
 * agent-msg-client: the native client of the agent-msg CLI host (protocol version 1).
 *
 * A JVM start costs far more than the command itself, so the launcher (bin/agent-msg) hands each
 * call to this program, which passes the command line to a long-lived host over a Unix domain
 * socket and plays back what the host streams: stdout, stderr and the exit code. When no host can
 * run the call, nothing has run yet and it execs the launcher's in-process path instead.
 *
 *   agent-msg-client [--code <path>] [--fallback <program>] -- <agent-msg arguments...>
 *
 * The protocol and every rule below are specified in README.md ("The CLI host protocol").
 * Build: cc -O2 -Wall -Wextra -std=c99 -D_POSIX_C_SOURCE=200809L -o target/agent-msg-client \
 *          src/main/c/agent-msg-client.c
 */
#if defined(__APPLE__)
/* With _POSIX_C_SOURCE alone, macOS hides st_mtimespec (only whole seconds remain). */
#define _DARWIN_C_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* macOS poll() does not work on terminals (it answers POLLNVAL), and stdin is often one. */
#if defined(__APPLE__) || defined(AMC_USE_SELECT)
#define AMC_SELECT 1
#include <sys/select.h>
#endif

#if defined(__APPLE__)
#define MTIME_SEC(st) ((long long)(st).st_mtimespec.tv_sec)
#define MTIME_NSEC(st) ((long)(st).st_mtimespec.tv_nsec)
#else
#define MTIME_SEC(st) ((long long)(st).st_mtim.tv_sec)
#define MTIME_NSEC(st) ((long)(st).st_mtim.tv_nsec)
#endif

extern char **environ;

#define MAX_FRAME 16777216u /* the protocol's payload limit, both ways */
#define STDIN_CHUNK 65536   /* largest I frame payload */
#define HOOK_MARK_MAX_AGE_NS 60000000000LL
#define HOOK_MARK_MAX_FUTURE_NS 1000000000LL

static const char HOST_LOST[] =
    "error[host-lost]: the agent-msg host stopped during the call; it may or may not have taken "
    "effect (see: agent-msg status)\n";

typedef struct {
  unsigned char *p;
  size_t len, cap;
} buf_t;

static const char *g_home;     /* normalized data home, for the no-host line; NULL if unknown */
static const char *g_fallback; /* --fallback program, or NULL */
static char **g_exec_argv;     /* argv slot before the agent-msg arguments (the "--") */
static int g_sock = -1;
static struct sigaction g_old_sigpipe;
static int g_sigpipe_saved;

static void die_oom(void) {
  static const char m[] = "agent-msg-client: out of memory\n";
  (void)!write(2, m, sizeof m - 1);
  exit(1);
}

static void buf_reserve(buf_t *b, size_t extra) {
  if (extra > SIZE_MAX / 2 - b->len) die_oom();
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra) cap *= 2;
  unsigned char *p = realloc(b->p, cap);
  if (!p) die_oom();
  b->p = p;
  b->cap = cap;
}

static void buf_add(buf_t *b, const void *d, size_t n) {
  buf_reserve(b, n);
  if (n) memcpy(b->p + b->len, d, n);
  b->len += n;
}

static void put_header(unsigned char *h, char type, uint32_t n) {
  h[0] = (unsigned char)type;
  h[1] = (unsigned char)(n >> 24);
  h[2] = (unsigned char)(n >> 16);
  h[3] = (unsigned char)(n >> 8);
  h[4] = (unsigned char)n;
}

/* Frames are built in place: reserve the header, append the payload, then patch the length. */
static size_t frame_begin(buf_t *b) {
  buf_reserve(b, 5);
  b->len += 5;
  return b->len - 5;
}

/* Returns -1 if the payload broke the frame limit (the caller falls back: nothing was sent). */
static int frame_end(buf_t *b, size_t start, char type) {
  size_t n = b->len - start - 5;
  if (n > MAX_FRAME) return -1;
  put_header(b->p + start, type, (uint32_t)n);
  return 0;
}

static int frame_bytes(buf_t *b, char type, const void *d, size_t n) {
  size_t s = frame_begin(b);
  buf_add(b, d, n);
  return frame_end(b, s, type);
}

/* Waits until one of fds is ready; poll() everywhere but where it cannot watch a terminal. */
static int wait_io(struct pollfd *fds, int n) {
#ifdef AMC_SELECT
  fd_set r, w;
  int maxfd = -1;
  FD_ZERO(&r);
  FD_ZERO(&w);
  for (int i = 0; i < n; i++) {
    fds[i].revents = 0;
    if (fds[i].fd >= FD_SETSIZE) return poll(fds, (nfds_t)n, -1);
    if (fds[i].events & POLLIN) FD_SET(fds[i].fd, &r);
    if (fds[i].events & POLLOUT) FD_SET(fds[i].fd, &w);
    if (fds[i].fd > maxfd) maxfd = fds[i].fd;
  }
  int rc = select(maxfd + 1, &r, &w, NULL, NULL);
  if (rc <= 0) return rc;
  for (int i = 0; i < n; i++) {
    if (FD_ISSET(fds[i].fd, &r)) fds[i].revents |= POLLIN;
    if (FD_ISSET(fds[i].fd, &w)) fds[i].revents |= POLLOUT;
  }
  return rc;
#else
  return poll(fds, (nfds_t)n, -1);
#endif
}

static void wait_fd(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  (void)wait_io(&p, 1);
}

/* Writes everything. Blocks on EAGAIN too: stdout may be a non-blocking fd we share. */
static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w > 0) {
      p += w;
      n -= (size_t)w;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_fd(fd, POLLOUT);
    } else if (w < 0 && errno != EINTR) {
      return -1;
    }
  }
  return 0;
}

static void say(const char *a, const char *b, const char *c) {
  buf_t m = {0};
  buf_add(&m, a, strlen(a));
  if (b) buf_add(&m, b, strlen(b));
  if (c) buf_add(&m, c, strlen(c));
  (void)write_all(2, m.p, m.len);
  free(m.p);
}

/* Nothing ran: hand the call to the launcher's in-process path, or report that no host serves. */
static void fall_back(void) {
  if (g_sock >= 0) close(g_sock);
  if (!g_fallback) {
    say("error[no-host]: no agent-msg host serves ", g_home ? g_home : "(unknown data home)", "\n");
    exit(1);
  }
  /* An ignored SIGPIPE is inherited across exec; the launcher's pipelines need the default. */
  if (g_sigpipe_saved) sigaction(SIGPIPE, &g_old_sigpipe, NULL);
  if (setenv("AGENT_MSG_CLIENT", "off", 1) == 0) {
    *g_exec_argv = (char *)g_fallback; /* reuses main's argv: fallback, then the same arguments */
    execv(g_fallback, g_exec_argv);
  }
  int e = errno;
  say("error[no-host]: no agent-msg host serves ", g_home ? g_home : "(unknown data home)", "");
  say(", and cannot run ", g_fallback, ": ");
  say(strerror(e), "\n", NULL);
  exit(1);
}

static void protocol_error(const char *what) {
  say("error[host-protocol]: the agent-msg host sent ", what,
      "; the call may or may not have taken effect (see: agent-msg status)\n");
  exit(1);
}

/* Java's String.isBlank for the ASCII range, so the host and the client agree on the home. */
static int is_blank(const char *s) {
  for (; *s; s++)
    if (!strchr(" \t\n\v\f\r\x1c\x1d\x1e\x1f", *s)) return 0;
  return 1;
}

static char *concat(const char *a, const char *b, const char *c) {
  size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
  char *s = malloc(la + lb + lc + 1);
  if (!s) die_oom();
  memcpy(s, a, la);
  memcpy(s + la, b, lb);
  memcpy(s + la + lb, c, lc + 1);
  return s;
}

/*
 * Lexical normalization like Java's Path.normalize(): the host names the home this way, and the
 * error line and socket path must match it even where ".." crosses a symbolic link.
 */
static void normalize(char *s) {
  size_t w = 0;
  const char *p = s;
  for (;;) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *seg = p;
    while (*p && *p != '/') p++;
    size_t n = (size_t)(p - seg);
    if (n == 1 && seg[0] == '.') continue;
    if (n == 2 && seg[0] == '.' && seg[1] == '.') {
      while (w > 0 && s[w - 1] != '/') w--;
      if (w > 0) w--;
      continue;
    }
    s[w++] = '/'; /* the output never overtakes the input: seg was preceded by a '/' */
    memmove(s + w, seg, n);
    w += n;
  }
  if (w == 0) s[w++] = '/';
  s[w] = '\0';
}

static char *absolute(const char *cwd, const char *path, const char *suffix) {
  char *rel = concat(path[0] == '/' ? "" : "/", path, suffix);
  char *s = concat(path[0] == '/' ? "" : cwd, rel, "");
  free(rel);
  normalize(s);
  return s;
}

static char *data_home(const char *cwd) {
  const char *v = getenv("AGENT_MSG_HOME");
  if (v && !is_blank(v)) return absolute(cwd, v, "");
  v = getenv("HOME");
  if (v && !is_blank(v)) return absolute(cwd, v, "/.agent-msg");
  struct passwd *pw = getpwuid(getuid());
  if (pw && pw->pw_dir && pw->pw_dir[0]) return absolute(cwd, pw->pw_dir, "/.agent-msg");
  return NULL;
}

/*
 * The host makes <home>/.host/ private. If someone else owns it or can write to it, the socket
 * and the hook marks there could be theirs (and would receive our AGENT_MSG_* environment), so we
 * trust neither and take the in-process path.
 */
static int host_dir_trusted(const char *home) {
  char *dir = concat(home, "/.host", "");
  struct stat st;
  int ok = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
           (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
  free(dir);
  return ok;
}

static int valid_agent(const char *s) {
  static const char first[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  size_t n = strlen(s);
  if (n < 1 || n > 64 || !strchr(first, s[0])) return 0;
  for (size_t i = 1; i < n; i++)
    if (s[i] != '.' && !strchr(first, s[i])) return 0;
  return 1;
}

/* Parses an optional '-' and 1..maxd decimal digits ending at 'end'; advances *p past 'end'. */
static int parse_num(const char **p, char end, int maxd, long long *out) {
  const char *s = *p;
  int neg = *s == '-', d = 0;
  long long v = 0;
  if (neg) s++;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (++d > maxd) return 0;
    v = v * 10 + (*s - '0');
  }
  if (d == 0 || *s != end) return 0;
  *out = neg ? -v : v;
  *p = s + 1;
  return 1;
}

/*
 * Is there certainly nothing new for this hook call? Every doubt answers no: a wrong "nothing
 * new" hides mail from an agent, a wrong "maybe" only costs one call through the host.
 */
static int hook_nothing_new(int nargs, char **args, const char *home) {
  if (nargs < 1 || strcmp(args[0], "hook") != 0) return 0;
  const char *agent = NULL;
  for (int i = 1; i < nargs; i++) /* first, so "-s -h" never hides a help request */
    if (strcmp(args[i], "-h") == 0 || strcmp(args[i], "--help") == 0) return 0;
  for (int i = 1; i < nargs; i++) {
    const char *v = NULL;
    if ((strcmp(args[i], "-s") == 0 || strcmp(args[i], "--agent") == 0) && i + 1 < nargs)
      v = args[++i];
    else if (strncmp(args[i], "--agent=", 8) == 0)
      v = args[i] + 8;
    if (v && agent && strcmp(v, agent) != 0) return 0; /* which one counts is the CLI's call */
    if (v) agent = v;
  }
  if (!agent) agent = getenv("AGENT_MSG_AGENT");
  if (!agent || !valid_agent(agent) || !host_dir_trusted(home)) return 0;

  char *mark = concat(home, "/.host/hook/", agent);
  /* O_NONBLOCK: a FIFO planted there must not hang the hook. */
  int fd = open(mark, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  free(mark);
  if (fd < 0) return 0;
  char text[64];
  size_t len = 0;
  struct stat st;
  int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  while (ok && len < sizeof text - 1) {
    ssize_t r = read(fd, text + len, sizeof text - 1 - len);
    if (r == 0) break;
    if (r < 0 && errno != EINTR) ok = 0;
    if (r > 0) len += (size_t)r;
  }
  close(fd);
  if (!ok || len >= sizeof text - 1 || memchr(text, '\0', len)) return 0;
  text[len] = '\0';

  struct timespec now;
  if (clock_gettime(CLOCK_REALTIME, &now) != 0) return 0;
  long long dsec = (long long)now.tv_sec - MTIME_SEC(st);
  if (dsec > 61 || dsec < -2) return 0; /* keeps the nanosecond arithmetic from overflowing */
  long long age = dsec * 1000000000LL + ((long long)now.tv_nsec - MTIME_NSEC(st));
  if (age >= HOOK_MARK_MAX_AGE_NS || age < -HOOK_MARK_MAX_FUTURE_NS) return 0;

  char *inbox = concat(home, "/inbox/", agent);
  int inbox_rc = stat(inbox, &st), inbox_errno = errno;
  free(inbox);
  if (strcmp(text, "v1 absent\n") == 0) return inbox_rc != 0 && inbox_errno == ENOENT;
  const char *p = text;
  long long sec, nsec;
  if (strncmp(p, "v1 ", 3) != 0) return 0;
  p += 3;
  if (!parse_num(&p, ' ', 18, &sec) || !parse_num(&p, '\n', 9, &nsec) || *p || nsec < 0) return 0;
  return inbox_rc == 0 && MTIME_SEC(st) == sec && (long long)MTIME_NSEC(st) == nsec;
}

/* Claude Code writes the hook's JSON to stdin; reading it all spares it a broken pipe. */
static void drain_stdin(void) {
  if (isatty(0)) return;
  unsigned char b[65536];
  for (;;) {
    ssize_t r = read(0, b, sizeof b);
    if (r > 0 || (r < 0 && errno == EINTR)) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_fd(0, POLLIN);
      continue;
    }
    return;
  }
}

static int forwarded_env(const char *e) {
  static const char *const names[] = {"HOME", "HOSTNAME", "USER", "LANG",
                                      "LC_ALL", "LC_CTYPE", "TZ"};
  const char *eq = strchr(e, '=');
  if (!eq) return 0;
  size_t n = (size_t)(eq - e);
  if (n >= 10 && strncmp(e, "AGENT_MSG_", 10) == 0) return 1;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i]) == n && strncmp(e, names[i], n) == 0) return 1;
  return 0;
}

/* The whole request, H to R, so it goes out in one write. -1: a frame is too long to send. */
static int build_request(buf_t *b, const char *code, int nargs, char **args, const char *cwd) {
  char nums[96];
  struct stat st;
  if (code && stat(code, &st) == 0)
    snprintf(nums, sizeof nums, "%lld %lld %ld\n", (long long)st.st_size, MTIME_SEC(st),
             MTIME_NSEC(st));
  else
    snprintf(nums, sizeof nums, "0 0 0\n"); /* no --code, or it is gone: the host answers w */
  size_t s = frame_begin(b);
  buf_add(b, "agent-msg-host 1\n", 17);
  buf_add(b, code ? code : "-", strlen(code ? code : "-"));
  buf_add(b, "\n", 1);
  buf_add(b, nums, strlen(nums));
  if (frame_end(b, s, 'H') != 0) return -1;
  for (int i = 0; i < nargs; i++)
    if (frame_bytes(b, 'A', args[i], strlen(args[i])) != 0) return -1;
  for (char **e = environ; *e; e++)
    if (forwarded_env(*e) && frame_bytes(b, 'V', *e, strlen(*e)) != 0) return -1;
  if (frame_bytes(b, 'D', cwd, strlen(cwd)) != 0) return -1;
  if (frame_bytes(b, 'T', isatty(1) ? "1" : "0", 1) != 0) return -1;
  return frame_bytes(b, 'R', "", 0);
}

static int connect_host(const char *home) {
  struct sockaddr_un sa;
  char *path = concat(home, "/.host/cli.sock", "");
  size_t n = strlen(path);
  if (n >= sizeof sa.sun_path || !host_dir_trusted(home)) {
    free(path);
    return -1;
  }
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, n + 1);
  free(path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
  int rc;
  while ((rc = connect(fd, (struct sockaddr *)&sa, sizeof sa)) != 0 && errno == EINTR) {
  }
  /* Where an interrupted connect goes on in the background (BSD), wait for its outcome. */
  if (rc != 0 && (errno == EALREADY || errno == EINPROGRESS || errno == EISCONN)) {
    struct sockaddr_un peer;
    socklen_t pl = sizeof peer;
    if (errno != EISCONN) wait_fd(fd, POLLOUT);
    rc = getpeername(fd, (struct sockaddr *)&peer, &pl);
  }
  if (rc != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Non-blocking flush of the bytes queued for the host. -1: the host can no longer read them. */
static int flush_out(buf_t *out, size_t *off, size_t *req_left) {
  while (*off < out->len) {
    ssize_t w = write(g_sock, out->p + *off, out->len - *off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (w <= 0) return -1;
    *off += (size_t)w;
    *req_left -= (size_t)w < *req_left ? (size_t)w : *req_left;
  }
  out->len = *off = 0;
  return 0;
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int call_host(buf_t *out) {
  buf_t in = {0};
  size_t in_off = 0, out_off = 0, req_left = out->len;
  int stdin_state = 0; /* 0: not asked for, 1: forwarding, 2: ended */
  int began = 0;       /* a frame other than n/w arrived: something ran */
  int write_dead = 0;  /* the host stopped reading; what it already sent may still matter */
  char what[64];

  (void)fcntl(g_sock, F_SETFL, fcntl(g_sock, F_GETFL) | O_NONBLOCK);
  if (flush_out(out, &out_off, &req_left) != 0) write_dead = 1;
  for (;;) {
    struct pollfd fds[2];
    int nfds = 1;
    size_t pending = write_dead ? 0 : out->len - out_off;
    fds[0].fd = g_sock;
    fds[0].events = (short)(POLLIN | (pending ? POLLOUT : 0));
    fds[0].revents = 0;
    /* Read stdin only once the last chunk is on its way: the host's pace bounds our memory. */
    if (stdin_state == 1 && !write_dead && pending == 0) {
      fds[1].fd = 0;
      fds[1].events = POLLIN;
      fds[1].revents = 0;
      nfds = 2;
    }
    if (wait_io(fds, nfds) < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      protocol_error("an answer we could not wait for (poll failed)");
    }
    if ((fds[0].revents & POLLOUT) && flush_out(out, &out_off, &req_left) != 0) write_dead = 1;

    if (nfds == 2 && fds[1].revents) {
      buf_reserve(out, 5 + STDIN_CHUNK);
      ssize_t r = (fds[1].revents & POLLNVAL) ? 0 : read(0, out->p + out->len + 5, STDIN_CHUNK);
      if (r > 0) {
        put_header(out->p + out->len, 'I', (uint32_t)r);
        out->len += 5 + (size_t)r;
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        put_header(out->p + out->len, 'i', 0); /* EOF or a read error both end stdin */
        out->len += 5;
        stdin_state = 2;
      }
    }

    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      if (in_off > 0) { /* keep the unparsed tail at the front so the buffer stays small */
        memmove(in.p, in.p + in_off, in.len - in_off);
        in.len -= in_off;
        in_off = 0;
      }
      if (in.cap - in.len < 16384) buf_reserve(&in, 65536);
      ssize_t r = read(g_sock, in.p + in.len, in.cap - in.len);
      if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (r <= 0) {
        /* The request never got through whole, so the host cannot have run it. */
        if (!began && req_left > 0) fall_back();
        (void)write_all(2, (const unsigned char *)HOST_LOST, sizeof HOST_LOST - 1);
        exit(1);
      }
      in.len += (size_t)r;
    }

    while (in.len - in_off >= 5) {
      unsigned char *f = in.p + in_off;
      uint32_t n = be32(f + 1);
      if (!strchr("nwoesx", f[0]) || f[0] == '\0') {
        snprintf(what, sizeof what, "an unknown frame type (byte %u)", (unsigned)f[0]);
        protocol_error(what);
      }
      if (n > MAX_FRAME) {
        snprintf(what, sizeof what, "a frame of %lu bytes (the limit is 16 MiB)",
                 (unsigned long)n);
        protocol_error(what);
      }
      if (in.len - in_off - 5 < n) {
        buf_reserve(&in, (size_t)n + 5 - (in.len - in_off)); /* room for the rest of it */
        break;
      }
      unsigned char type = f[0], *payload = f + 5;
      in_off += 5 + (size_t)n;
      if (type == 'n' || type == 'w') {
        if (began) protocol_error("a 'not served' answer after the call began");
        fall_back();
      }
      began = 1;
      if (type == 'o') {
        if (write_all(1, payload, n) != 0) {
          /* A closed pipe is the reader's choice (| head); anything else deserves a word. */
          if (errno != EPIPE) say("error[output-closed]: cannot write standard output: ",
                                  strerror(errno), "\n");
          exit(1);
        }
        if (!write_dead) {
          buf_reserve(out, 5);
          put_header(out->p + out->len, 'a', 0);
          out->len += 5;
        }
      } else if (type == 'e') {
        (void)write_all(2, payload, n); /* nowhere left to report a stderr failure */
      } else if (type == 's') {
        if (n != 0) protocol_error("a malformed 's' frame");
        if (stdin_state == 0) stdin_state = 1;
      } else { /* 'x' */
        if (n != 4) protocol_error("a malformed 'x' frame");
        exit((int)(int32_t)be32(payload));
      }
    }
    if (!write_dead && out->len > out_off && flush_out(out, &out_off, &req_left) != 0)
      write_dead = 1;
  }
}

static void usage(void) {
  say("usage: agent-msg-client [--code <path>] [--fallback <program>] -- <agent-msg arguments...>",
      "\n", NULL);
  exit(2);
}

int main(int argc, char **argv) {
  /* A closed 0, 1 or 2 would make the socket land there and our output go to the host; a
     read-only /dev/null keeps the slot taken and still fails writes as a closed fd would. */
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
      int n = open("/dev/null", O_RDONLY);
      if (n >= 0 && n != fd) close(n); /* cannot happen: open takes the lowest free slot */
    }

  const char *code = NULL;
  int sep = -1;
  for (int i = 1; i < argc && sep < 0; i++) {
    if (strcmp(argv[i], "--") == 0)
      sep = i;
    else if (strcmp(argv[i], "--code") == 0 && i + 1 < argc)
      code = argv[++i];
    else if (strcmp(argv[i], "--fallback") == 0 && i + 1 < argc)
      g_fallback = argv[++i];
    else
      usage();
  }
  if (sep < 0) usage();
  g_exec_argv = argv + sep;
  int nargs = argc - sep - 1;
  char **args = argv + sep + 1;

  buf_t cwd = {0};
  buf_reserve(&cwd, 4096);
  while (!getcwd((char *)cwd.p, cwd.cap)) {
    if (errno != ERANGE) {
      const char *pwd = getenv("PWD"); /* only for naming the home in the no-host line */
      g_home = pwd && pwd[0] == '/' ? data_home(pwd) : NULL;
      fall_back(); /* the in-process path has its own answer to a vanished directory */
    }
    buf_reserve(&cwd, cwd.cap * 2);
  }
  const char *dir = (const char *)cwd.p;
  g_home = data_home(dir);
  if (!g_home) fall_back();

  if (hook_nothing_new(nargs, args, g_home)) {
    drain_stdin();
    free(cwd.p);
    return 0;
  }

  struct sigaction ign;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  g_sigpipe_saved = sigaction(SIGPIPE, &ign, &g_old_sigpipe) == 0;

  buf_t req = {0};
  if (build_request(&req, code, nargs, args, dir) != 0) fall_back();
  g_sock = connect_host(g_home);
  if (g_sock < 0) fall_back();
  return call_host(&req);
}
