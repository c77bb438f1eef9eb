/*
 * The cycle timeline and its timer queue: a binary min-heap ordered by
 * (deadline, arming order), so equal deadlines fire first-armed-first.
 */
#include "bus/clock.h"

#include <assert.h>
#include <stddef.h>

void clock_init(struct clock *c, uint64_t hz)
{
    c->now = 0;
    c->hz = hz ? hz : 1;
    c->armed_count = 0;
    c->n = 0;
}

void timer_init(struct timer *t, const char *name, timer_fn fn, void *opaque)
{
    t->name = name;
    t->fn = fn;
    t->opaque = opaque;
    t->when = 0;
    t->order = 0;
    t->slot = -1;
}

static int timer_before(const struct timer *a, const struct timer *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

static void heap_place(struct clock *c, int i, struct timer *t)
{
    c->heap[i] = t;
    t->slot = i;
}

static void heap_sift_up(struct clock *c, int i)
{
    struct timer *t = c->heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!timer_before(t, c->heap[parent]))
            break;
        heap_place(c, i, c->heap[parent]);
        i = parent;
    }
    heap_place(c, i, t);
}

static void heap_sift_down(struct clock *c, int i)
{
    struct timer *t = c->heap[i];
    for (;;) {
        int child = 2 * i + 1;
        if (child >= c->n)
            break;
        if (child + 1 < c->n && timer_before(c->heap[child + 1], c->heap[child]))
            child++;
        if (!timer_before(c->heap[child], t))
            break;
        heap_place(c, i, c->heap[child]);
        i = child;
    }
    heap_place(c, i, t);
}

static void heap_remove(struct clock *c, int i)
{
    struct timer *removed = c->heap[i];
    c->n--;
    if (i != c->n) {
        struct timer *moved = c->heap[c->n];
        heap_place(c, i, moved);
        heap_sift_down(c, i);
        heap_sift_up(c, moved->slot);
    }
    removed->slot = -1;
}

void timer_cancel(struct clock *c, struct timer *t)
{
    if (t->slot >= 0)
        heap_remove(c, t->slot);
}

void timer_arm(struct clock *c, struct timer *t, cycles_t when)
{
    if (t->slot >= 0)
        heap_remove(c, t->slot);
    /* The heap holds one slot per timer a machine owns; running out means a
     * device table grew past CLOCK_MAX_TIMERS, a build-time mistake. */
    assert(c->n < CLOCK_MAX_TIMERS);
    if (c->n >= CLOCK_MAX_TIMERS)
        return;
    t->when = when;
    t->order = c->armed_count++;
    heap_place(c, c->n++, t);
    heap_sift_up(c, t->slot);
}

void clock_run_due(struct clock *c)
{
    while (c->n && c->heap[0]->when <= c->now) {
        struct timer *t = c->heap[0];
        heap_remove(c, 0);
        t->fn(t->opaque, c->now);
    }
}
