/*
 * Interrupt request lines.  A line is a level: a device drives it high or
 * low, and whoever listens (an interrupt controller, a CPU pin) is called
 * when the level changes.  Edge-triggered inputs are modelled by the
 * listener, which sees every change.
 */
#ifndef TRAPEZE_BUS_IRQ_H
#define TRAPEZE_BUS_IRQ_H

typedef void (*irq_sink_fn)(void *opaque, int pin, int level);

struct irq_line {
    irq_sink_fn sink;   /* NULL: the line goes nowhere */
    void *opaque;
    int pin;            /* which input of the sink */
    int level;
};

static inline void irq_connect(struct irq_line *l, irq_sink_fn sink, void *opaque, int pin)
{
    l->sink = sink;
    l->opaque = opaque;
    l->pin = pin;
    l->level = 0;
}

static inline void irq_set(struct irq_line *l, int level)
{
    level = !!level;
    if (l->level == level)
        return;
    l->level = level;
    if (l->sink)
        l->sink(l->opaque, l->pin, level);
}

/* A pulse: high then low, for edge-triggered inputs. */
static inline void irq_pulse(struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif
