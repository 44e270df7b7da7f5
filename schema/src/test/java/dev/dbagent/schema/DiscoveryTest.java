package dev.dbagent.schema;

import static dev.dbagent.schema.Civic.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.schema.arguments.Argument;
import dev.dbagent.schema.arguments.ArgumentDao;
import dev.dbagent.schema.arguments.ArgumentStance;
import dev.dbagent.schema.discovery.SavedSearch;
import dev.dbagent.schema.discovery.SavedSearchDao;
import dev.dbagent.schema.discovery.SearchDao;
import dev.dbagent.schema.discovery.SearchHit;
import dev.dbagent.schema.discovery.SearchHitKind;
import dev.dbagent.schema.discovery.Tag;
import dev.dbagent.schema.discovery.TagDao;
import dev.dbagent.schema.foundation.Bill;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class DiscoveryTest {
    private static Civic civic;
    private static TagDao tags;
    private static SearchDao search;
    private static SavedSearchDao savedSearches;
    private static ArgumentDao arguments;

    @BeforeAll
    static void migrate(TestDatabase db) {
        civic = Civic.migrated(db);
        tags = civic.dao(TagDao.class);
        search = civic.dao(SearchDao.class);
        savedSearches = civic.dao(SavedSearchDao.class);
        arguments = civic.dao(ArgumentDao.class);
    }

    @Test
    void tagsAreUniqueLowerCaseNames() {
        Tag t = tags.create("housing");

        assertThat(tags.findById(t.id())).contains(t);
        assertThat(tags.findByName("housing")).contains(t);
        assertThat(tags.findByName("nothing")).isEmpty();
        assertRefused(() -> tags.create("housing"), "23505", "tags_name_uq");
        assertRefused(() -> tags.create("Housing"), "23514", "tags_name_ck");
        assertRefused(() -> tags.create("two words"), "23514", "tags_name_ck");
        assertRefused(() -> tags.create("x".repeat(51)), "23514", "tags_name_ck");
    }

    @Test
    void tagsArePagedByName() {
        tags.create("zz-c");
        tags.create("zz-a");
        tags.create("zz-b");

        assertThat(tags.list("zz", 2)).extracting(Tag::name).containsExactly("zz-a", "zz-b");
        assertThat(tags.list("zz-b", 2)).extracting(Tag::name).containsExactly("zz-c");
    }

    @Test
    void billsAreTaggedOnceAndFoundByTag() {
        Tag transit = tags.create("transit");
        Tag budget = tags.create("budget");
        Bill a = civic.bill();
        Bill b = civic.bill();

        assertThat(tags.tagBill(a.id(), transit.id())).isTrue();
        assertThat(tags.tagBill(a.id(), transit.id())).isFalse();
        tags.tagBill(a.id(), budget.id());
        tags.tagBill(b.id(), transit.id());

        assertThat(tags.tagsOf(a.id())).containsExactly(budget, transit);
        assertThat(tags.billIdsTagged("transit", 0, 10)).containsExactly(a.id(), b.id());
        assertThat(tags.billIdsTagged("transit", a.id(), 10)).containsExactly(b.id());
        assertThat(tags.untagBill(a.id(), transit.id())).isTrue();
        assertThat(tags.untagBill(a.id(), transit.id())).isFalse();
        assertThat(tags.tagsOf(a.id())).containsExactly(budget);
        assertRefused(() -> tags.tagBill(999_999L, budget.id()), "23503", "bill_tags_bill_fk");
        assertRefused(() -> tags.tagBill(a.id(), 999_999L), "23503", "bill_tags_tag_fk");
    }

    @Test
    void billSearchRanksTitleMatchesAboveSummaryMatches() {
        Bill inSummary = civic.bill("Municipal budget", "Funds new bicycle lanes downtown");
        Bill inTitle = civic.bill("Bicycle safety act", "Helmets and lights");
        Bill both = civic.bill("Bicycle lanes act", "More bicycle lanes and bicycle parking");
        civic.bill("Unrelated", "Nothing about it");

        List<SearchHit> hits = search.searchBills("bicycles", 10);

        assertThat(hits).extracting(SearchHit::id).containsExactly(both.id(), inTitle.id(), inSummary.id());
        assertThat(hits).allSatisfy(h -> {
            assertThat(h.kind()).isEqualTo(SearchHitKind.BILL);
            assertThat(h.billId()).isEqualTo(h.id());
            assertThat(h.rank()).isPositive();
        });
        assertThat(hits.get(0).rank()).isGreaterThan(hits.get(1).rank());
        assertThat(hits.get(1).rank()).isGreaterThan(hits.get(2).rank());
        assertThat(hits.get(1).title()).isEqualTo("Bicycle safety act");
        assertThat(search.searchBills("bicycles", 1)).extracting(SearchHit::id).containsExactly(both.id());
    }

    @Test
    void searchUsesWebSearchSyntaxAndNeverFailsOnOddInput() {
        Bill solar = civic.bill("Solar rooftop incentives", "Tax credit for panels");
        Bill wind = civic.bill("Offshore wind leases", "Tax credit for turbines");

        assertThat(search.searchBills("\"tax credit\" -turbines", 10)).extracting(SearchHit::id).containsExactly(solar.id());
        assertThat(search.searchBills("solar or offshore", 10)).extracting(SearchHit::id)
                .containsExactlyInAnyOrder(solar.id(), wind.id());
        assertThat(search.searchBills("((( & ! :*", 10)).isEmpty();
        assertThat(search.searchBills("the", 10)).isEmpty();
    }

    @Test
    void searchVectorFollowsEveryUpdate() {
        Bill b = civic.bill("Placeholder", "");
        assertThat(search.searchBills("aquifer", 10)).isEmpty();

        civic.execute("UPDATE bills SET title = 'Aquifer protection' WHERE id = " + b.id());

        assertThat(search.searchBills("aquifer", 10)).extracting(SearchHit::id).containsExactly(b.id());
    }

    @Test
    void argumentsAreSearchedAndMergedWithBillsByRank() {
        Bill bill = civic.bill("Groundwater quality standards", "Limits nitrates");
        Argument titled = arguments.create(bill.id(), null, ArgumentStance.FOR, "Nitrates harm infants",
                "Infants are most exposed to nitrates in groundwater.");
        Argument mention = arguments.create(bill.id(), null, ArgumentStance.AGAINST, "Farm costs",
                "Compliance is expensive for small farms near nitrates sources.");

        List<SearchHit> argumentHits = search.searchArguments("nitrate", 10);
        List<SearchHit> all = search.searchAll("nitrate", 10);

        assertThat(argumentHits).extracting(SearchHit::id).containsExactly(titled.id(), mention.id());
        assertThat(argumentHits).allSatisfy(h -> {
            assertThat(h.kind()).isEqualTo(SearchHitKind.ARGUMENT);
            assertThat(h.billId()).isEqualTo(bill.id());
        });
        assertThat(all).hasSize(3);
        assertThat(all).extracting(SearchHit::rank).isSortedAccordingTo((x, y) -> Float.compare(y, x));
        assertThat(all).extracting(SearchHit::kind).containsOnly(SearchHitKind.BILL, SearchHitKind.ARGUMENT);
        assertThat(all.get(all.size() - 1).id()).isEqualTo(mention.id());
        assertThat(search.searchAll("nitrate", 1)).hasSize(1);
    }

    @Test
    void savedSearchesBelongToACitizenUnderUniqueNames() {
        long owner = civic.citizen().id();
        SavedSearch water = savedSearches.create(owner, "water", "groundwater -fracking", true);
        SavedSearch bikes = savedSearches.create(owner, "bikes", "bicycle", false);
        savedSearches.create(civic.citizen().id(), "water", "water", false);

        assertThat(savedSearches.findById(water.id())).contains(water);
        assertThat(water.notifyOnMatch()).isTrue();
        assertThat(savedSearches.listByCitizen(owner)).containsExactly(bikes, water);
        assertRefused(() -> savedSearches.create(owner, "water", "again", false), "23505", "saved_searches_name_uq");
        assertRefused(() -> savedSearches.create(owner, "empty", " ", false), "23514", "saved_searches_query_ck");
        assertRefused(() -> savedSearches.create(999_999L, "ghost", "q", false), "23503", "saved_searches_citizen_fk");
        assertThat(savedSearches.delete(bikes.id())).isTrue();
        assertThat(savedSearches.delete(bikes.id())).isFalse();
        assertThat(savedSearches.listByCitizen(owner)).containsExactly(water);
    }
}
