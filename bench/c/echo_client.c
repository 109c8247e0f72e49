// Closed-loop echo load generator: each connection keeps one message in flight, checks every
// echoed byte, and records round-trip latency in a 1 µs histogram. Prints one JSON line.
// usage: echo_client HOST PORT CONNS SECONDS SIZE [WARMUP_SECONDS]
// The clock starts once every connection has had its first reply: connect() returns when the
// kernel completed the handshake, but past the listen backlog a connection waits in SYN_RECV for
// retransmits (seconds), so without this the server would still be accepting during the window.
// SECONDS 0 runs in segments: the load goes on until standard input ends, and each line read
// there closes a segment, printed as its own JSON line (so a caller can compare conditions it
// switches under one unbroken load, without reconnecting between them).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HIST_US 1000000 /* 1 s of 1 µs buckets; slower replies land in the last one */

typedef struct {
  int fd;
  uint32_t seq;      /* message number: the payload is derived from it */
  size_t sent, got;  /* bytes of the current message */
  uint64_t t_send;
} conn_t;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline uint8_t pattern(uint32_t seq, size_t i, int idx) { return (uint8_t)(seq * 31u + i * 7u + idx * 13u); }

static uint32_t hist[HIST_US];

static void print_result(const char *kind, int nconn, uint64_t ramp_ns, size_t size, double dur, uint64_t msgs, uint64_t errors, uint64_t bad);

static void send_next(conn_t *c, int idx, uint8_t *out, size_t size, uint64_t t, uint64_t *errors) {
  for (size_t k = 0; k < size; k++) out[k] = pattern(c->seq, k, idx);
  c->t_send = t;
  if (write(c->fd, out, size) != (ssize_t)size) (*errors)++;
}

static uint64_t percentile(uint64_t total, double p) {
  uint64_t want = (uint64_t)(total * p), acc = 0;
  if (want >= total) want = total - 1;
  for (int i = 0; i < HIST_US; i++) {
    acc += hist[i];
    if (acc > want) return (uint64_t)i;
  }
  return HIST_US;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s HOST PORT CONNS SECONDS SIZE [WARMUP_SECONDS]\n", argv[0]);
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]), nconn = atoi(argv[3]);
  double seconds = atof(argv[4]), warmup = argc > 6 ? atof(argv[6]) : 0.5;
  size_t size = (size_t)atol(argv[5]);
  conn_t *conns = calloc(nconn, sizeof(conn_t));
  uint8_t *out = malloc(size), *in = malloc(size > 65536 ? size : 65536);
  int ep = epoll_create1(0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, host, &addr.sin_addr);
  uint64_t began = now_ns();
  for (int i = 0; i < nconn; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
      fprintf(stderr, "connect: %s\n", strerror(errno));
      return 1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    conns[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  int segments = seconds <= 0;
  if (segments) {
    fcntl(0, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
  }
  uint64_t start = now_ns(), measure_from = UINT64_MAX, end = UINT64_MAX, segment_from = UINT64_MAX;
  uint64_t ramp_deadline = began + 60ull * 1000000000ull, ramp_ns = 0;
  uint64_t msgs = 0, bad = 0, errors = 0;
  int answered = 0, window_told = 0;
  for (int i = 0; i < nconn; i++) send_next(&conns[i], i, out, size, now_ns(), &errors);
  struct epoll_event events[1024];
  uint64_t t = start;
  while (t < end) {
    int n = epoll_wait(ep, events, 1024, 100);
    t = now_ns();
    if (answered < nconn && t > ramp_deadline) {
      fprintf(stderr, "only %d of %d connections answered within 60 s\n", answered, nconn);
      return 1;
    }
    if (!window_told && t >= measure_from) {
      // For a caller that measures something else over the same window (CPU per process).
      fputs("window\n", stderr);
      fflush(stderr);
      window_told = 1;
    }
    for (int e = 0; e < n; e++) {
      if (events[e].data.u32 == UINT32_MAX) {
        char line[256];
        ssize_t r = read(0, line, sizeof line);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        for (ssize_t k = 0; k < r; k++) {
          if (line[k] != '\n') continue;
          // A mark before the window opened closes an empty segment.
          uint64_t from = segment_from < t ? segment_from : t;
          print_result("segment", nconn, ramp_ns, size, (double)(t - from) / 1e9, msgs, errors, bad);
          fflush(stdout);
          memset(hist, 0, sizeof hist);
          msgs = 0;
          if (segment_from != UINT64_MAX) segment_from = t;
        }
        if (r <= 0) end = t; /* standard input ended: the run ends */
        continue;
      }
      int idx = (int)events[e].data.u32;
      conn_t *c = &conns[idx];
      ssize_t r = read(c->fd, in, size - c->got);
      if (r <= 0) {
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        errors++;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        continue;
      }
      for (ssize_t k = 0; k < r; k++)
        if (in[k] != pattern(c->seq, c->got + (size_t)k, idx)) bad++;
      c->got += (size_t)r;
      if (c->got < size) continue;
      if (c->t_send >= measure_from && t < end && (!segments || t >= segment_from)) {
        uint64_t us = (t - c->t_send) / 1000;
        hist[us < HIST_US ? us : HIST_US - 1]++;
        msgs++;
      }
      c->seq++;
      c->got = 0;
      // While connections are still arriving, an answered one waits, so the ramp is not slowed
      // by load; then all start together.
      if (c->seq == 1 && ++answered < nconn) continue;
      if (answered == nconn && measure_from == UINT64_MAX) {
        ramp_ns = t - began;
        measure_from = t + (uint64_t)(warmup * 1e9);
        if (segments) segment_from = measure_from;
        else end = measure_from + (uint64_t)(seconds * 1e9);
        for (int j = 0; j < nconn; j++) {
          if (j != idx) send_next(&conns[j], j, out, size, t, &errors);
        }
      }
      send_next(c, idx, out, size, t, &errors);
    }
  }
  uint64_t from = segments ? segment_from : measure_from;
  print_result(segments ? "end" : "run", nconn, ramp_ns, size, from < end ? (double)(end - from) / 1e9 : 0, msgs, errors, bad);
  return (errors || bad) ? 1 : 0;
}

static void print_result(const char *kind, int nconn, uint64_t ramp_ns, size_t size, double dur, uint64_t msgs, uint64_t errors, uint64_t bad) {
  printf("{\"kind\":\"%s\",\"conns\":%d,\"ramp_ms\":%.0f,\"size\":%zu,\"seconds\":%.3f,\"msgs\":%llu,\"msgs_per_s\":%.0f,\"p50_us\":%llu,\"p99_us\":%llu,\"errors\":%llu,\"bad_bytes\":%llu}\n",
         kind, nconn, ramp_ns / 1e6, size, dur, (unsigned long long)msgs, dur > 0 ? msgs / dur : 0, (unsigned long long)(msgs ? percentile(msgs, 0.50) : 0),
         (unsigned long long)(msgs ? percentile(msgs, 0.99) : 0), (unsigned long long)errors, (unsigned long long)bad);
}
