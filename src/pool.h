/*
 * pool.h - many items worked on by several threads, finished one by one
 * in their order on the caller's thread.  Reading the inputs (batch.c)
 * and writing the scoresheets (scoresheet_out.c) both run on it: the slow
 * part of each item anywhere, the part whose order shows in the output
 * (messages, the batch, the commits of files) in order.
 */
#ifndef KH_POOL_H
#define KH_POOL_H

#include "common.h"

/* Work on item i: called once per item on some thread (the caller's
 * thread when there are no others), items of one run in any order and at
 * the same time.  It must touch only what belongs to item i. */
typedef void (*kh_pool_work_fn)(void *ctx, size_t i);

/* Finish item i after its work: called on the caller's thread for i = 0,
 * 1, 2 ... in order.  false stops the run: no further work is started and
 * finish is not called again (items worked on but not finished are the
 * caller's to clean up). */
typedef bool (*kh_pool_finish_fn)(void *ctx, size_t i);

/* How far the workers may run ahead of the caller, in items per thread:
 * what they hold (a scored file, an open output) waits for the caller, so
 * one slow item must not let the others pile up without end.  With t
 * threads, item i + t * KH_POOL_AHEAD is not started before item i is
 * finished. */
#define KH_POOL_AHEAD 8

/* How many threads a run of n items uses for jobs: 0 means one per
 * online CPU; never more than n, never fewer than 1. */
unsigned kh_pool_threads(unsigned jobs, size_t n);

/* Work on and finish items 0 .. n-1 with up to kh_pool_threads(jobs, n)
 * threads.  With one thread (or when no thread can be started) everything
 * runs on the caller's thread: work(i), finish(i), work(i+1) ...  Returns
 * the number of items finished (n unless finish stopped the run). */
size_t kh_pool_run(size_t n, unsigned jobs, kh_pool_work_fn work, kh_pool_finish_fn finish,
                   void *ctx);

#endif
