package dev.dbagent.demo;

import dev.dbagent.schema.accountability.LedgerAction;
import dev.dbagent.schema.accountability.LedgerDao;
import dev.dbagent.schema.discovery.SearchDao;
import dev.dbagent.schema.foundation.Bill;
import dev.dbagent.schema.foundation.BillDao;
import dev.dbagent.schema.foundation.Citizen;
import dev.dbagent.schema.foundation.CitizenDao;
import dev.dbagent.schema.foundation.JurisdictionDao;
import dev.dbagent.schema.foundation.OfficialDao;
import dev.dbagent.schema.participation.CommentDao;
import dev.dbagent.schema.participation.ParticipationDao;
import dev.dbagent.schema.participation.PositionDao;
import dev.dbagent.schema.participation.Stance;
import dev.dbagent.service.DatabaseService;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's light, steady workload through {@link DatabaseService}: reads, writes, searches, an
 * occasional slow query and an occasional unique-key violation (which the breakers must ignore).
 *
 * <p>It survives a reset: when the rows it created are gone (the schema was dropped and
 * re-created), it logs one line, pauses while the schema is not usable, and re-creates its rows
 * once it is.
 */
final class Workload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Workload.class);
    private static final String[] TOPICS = {"transit", "housing", "water", "schools", "parks", "budget", "energy"};

    private final DatabaseService db;
    private final Thread thread;
    private volatile boolean running = true;
    private final List<Long> citizens = new ArrayList<>();
    private final List<Long> bills = new ArrayList<>();
    private long official;
    private long jurisdiction;
    private boolean paused;

    private Workload(DatabaseService db) {
        this.db = db;
        this.thread = new Thread(this::run, "dbagent-demo-workload");
        this.thread.setDaemon(true);
    }

    static Workload start(DatabaseService db) {
        Workload w = new Workload(db);
        w.seed();
        w.thread.start();
        return w;
    }

    private void seed() {
        citizens.clear();
        bills.clear();
        jurisdiction = db.read(JurisdictionDao.class, dao -> dao.list(0, 1)).get(0).id();
        official = db.write(OfficialDao.class, dao -> dao.create("Ada Demo", "Mayor", "Independent", jurisdiction,
                LocalDate.of(2025, 1, 1), null)).id();
        for (int i = 0; i < 5; i++) {
            newCitizen();
            newBill();
        }
    }

    private void run() {
        long n = 0;
        while (running) {
            n++;
            try {
                if (paused) {
                    seed();
                    paused = false;
                    LOG.info("demo workload resumed: the schema is back, its rows are re-created");
                }
                step(n);
            } catch (RuntimeException e) {
                // while paused the schema is still being reset: that was said once already
                if (!paused && !ownRowsExist()) {
                    paused = true;
                    LOG.info("demo workload paused: its rows are gone (the schema was reset); it resumes when the"
                            + " schema is back");
                } else if (!paused) {
                    LOG.info("demo workload call failed (as some are meant to): {}", firstLine(e.getMessage()));
                }
            }
            try {
                Thread.sleep(150); // pacing of a demo workload, not a test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void step(long n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long bill = bills.get(r.nextInt(bills.size()));
        long citizen = citizens.get(r.nextInt(citizens.size()));
        switch ((int) (n % 10)) {
            case 0 -> newCitizen();
            case 1 -> newBill();
            case 2 -> db.write(PositionDao.class, dao -> dao.take(bill, citizen, Stance.values()[r.nextInt(3)]));
            case 3 -> db.write(CommentDao.class, dao -> dao.create(bill, citizen, null, "Comment " + n + " on "
                    + TOPICS[r.nextInt(TOPICS.length)]));
            case 4 -> db.write(LedgerDao.class, dao -> dao.record(official, bill, LedgerAction.values()[r.nextInt(3)],
                    "{\"note\": \"demo\"}", Instant.now()));
            case 5 -> db.read(SearchDao.class, dao -> dao.searchAll(TOPICS[r.nextInt(TOPICS.length)], 10));
            case 6 -> db.read(ParticipationDao.class, dao -> dao.summary(bill));
            case 7 -> {
                if (n % 70 == 7) {
                    // a slow query now and then, so the slow-query log has something to show
                    db.read(h -> h.createQuery("SELECT count(*) FROM bills, pg_sleep(0.7)").mapTo(Long.class).one());
                } else {
                    db.read(BillDao.class, dao -> dao.list(0, 20));
                }
            }
            case 8 -> {
                if (n % 40 == 8) {
                    // a unique-key violation: an application error the breakers must not count
                    Citizen someone = db.read(CitizenDao.class, dao -> dao.findById(citizen)).orElseThrow();
                    db.write(CitizenDao.class, dao -> dao.create(someone.email(), "Duplicate", null));
                } else {
                    db.read(CitizenDao.class, dao -> dao.list(0, 20));
                }
            }
            default -> db.read(LedgerDao.class, LedgerDao::firstBrokenEntry);
        }
    }

    private boolean ownRowsExist() {
        try {
            return db.read(OfficialDao.class, dao -> dao.findById(official)).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void newCitizen() {
        long id = System.nanoTime();
        Citizen c = db.write(CitizenDao.class, dao -> dao.create("citizen" + id + "@example.org",
                "Citizen " + (citizens.size() + 1), jurisdiction));
        citizens.add(c.id());
    }

    private void newBill() {
        String topic = TOPICS[ThreadLocalRandom.current().nextInt(TOPICS.length)];
        Bill b = db.write(BillDao.class, dao -> dao.create(jurisdiction, "HB-" + (bills.size() + 1) + "-" + System.nanoTime() % 100000,
                "An act concerning " + topic, "Improves " + topic + " for every resident.", null));
        bills.add(b.id());
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
