package dev.dbagent.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded ring of the most recent slow calls. Lock-free: a writer claims a slot with one
 * atomic increment and overwrites it; readers see a consistent record per slot (records are
 * immutable), possibly missing one that is being written.
 */
final class SlowQueryLog {
    private record Entry(long seq, SlowQuery query) {}

    private final AtomicReferenceArray<Entry> slots;
    private final AtomicLong next = new AtomicLong();

    SlowQueryLog(int capacity) {
        this.slots = new AtomicReferenceArray<>(capacity);
    }

    void add(SlowQuery query) {
        long seq = next.getAndIncrement();
        slots.set((int) (seq % slots.length()), new Entry(seq, query));
    }

    /** @return the kept slow calls, newest first */
    List<SlowQuery> snapshot() {
        List<Entry> entries = new ArrayList<>(slots.length());
        for (int i = 0; i < slots.length(); i++) {
            Entry e = slots.get(i);
            if (e != null) {
                entries.add(e);
            }
        }
        entries.sort(Comparator.comparingLong(Entry::seq).reversed());
        List<SlowQuery> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(e.query());
        }
        return List.copyOf(out);
    }

    /** @return slow calls recorded since creation, including those no longer kept */
    long total() {
        return next.get();
    }

    void clear() {
        for (int i = 0; i < slots.length(); i++) {
            slots.set(i, null);
        }
    }
}
