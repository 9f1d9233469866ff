/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * Subscription trie and retained store at 100k entries, on device-style topics
 * ("site/12/device/345/temp"): 100 sites x 1000 devices x 4 metrics = 400k topic names.
 * Every data set comes from a fixed seed, so runs compare.
 */
#include "mqtt-retained-store.h"
#include "mqtt-topic-tree.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace ns3::mqtt;

namespace
{

constexpr int SITES = 100;
constexpr int DEVICES = 1000;
constexpr std::size_t SUBSCRIPTIONS = 100000;
constexpr SubscriberId SUBSCRIBERS = 50000;
const char* const METRICS[] = {"temp", "hum", "status", "batt"};

enum class Mix
{
    ExactOnly,
    Mixed,        //!< 60 % exact, 25 % '+', 15 % '#'
    WildcardHeavy //!< every filter has a wildcard, several per filter
};

std::string
Name(int site, int device, int metric)
{
    return "site/" + std::to_string(site) + "/device/" + std::to_string(device) + "/" +
           METRICS[metric];
}

std::string
RandomName(std::mt19937& rng)
{
    return Name(rng() % SITES, rng() % DEVICES, rng() % 4);
}

std::string
RandomFilter(std::mt19937& rng, Mix mix)
{
    const std::string s = std::to_string(rng() % SITES);
    const std::string d = std::to_string(rng() % DEVICES);
    const std::string m = METRICS[rng() % 4];
    const unsigned pct = rng() % 100;
    const bool rare = rng() % 1000 == 0;
    if (mix == Mix::ExactOnly || (mix == Mix::Mixed && pct < 60))
    {
        return "site/" + s + "/device/" + d + "/" + m;
    }
    if (mix == Mix::Mixed)
    {
        if (pct < 85)
        {
            switch (pct % 3)
            {
            case 0:
                return "site/" + s + "/device/" + d + "/+"; // all metrics of one device
            case 1:
                return "site/" + s + "/device/+/" + m; // one metric of a whole site
            default:
                return "site/+/device/" + d + "/status";
            }
        }
        return rare ? "site/" + s + "/#" : "site/" + s + "/device/" + d + "/#";
    }
    switch (pct % 8)
    {
    case 0:
        return "site/+/device/" + d + "/+";
    case 1:
        return "site/" + s + "/device/+/" + m;
    case 2:
        return "+/" + s + "/device/" + d + "/#";
    case 3:
        return "site/" + s + "/+/" + d + "/+";
    case 4:
        return "site/" + s + "/device/" + d + "/#";
    case 5:
        return "+/+/+/" + d + "/" + m;
    case 6:
        return "site/+/+/" + d + "/#";
    default:
        return rare ? "#" : "site/" + s + "/device/+/+";
    }
}

/** A tree of 100k subscriptions of @p mix, and 8192 names to look up. */
struct Fixture
{
    MqttTopicTree tree;
    std::vector<std::string> names;

    explicit Fixture(Mix mix)
    {
        std::mt19937 rng(1234);
        while (tree.Size() < SUBSCRIPTIONS)
        {
            tree.Subscribe(
                RandomFilter(rng, mix), rng() % SUBSCRIBERS, static_cast<Qos>(rng() % 3));
        }
        for (int i = 0; i < 8192; ++i)
        {
            names.push_back(RandomName(rng));
        }
    }
};

void
TreeMatch(benchmark::State& state, Mix mix)
{
    static std::unique_ptr<Fixture> fixtures[3];
    std::unique_ptr<Fixture>& f = fixtures[static_cast<int>(mix)];
    if (!f)
    {
        f = std::make_unique<Fixture>(mix); // built once per process, kept for repetitions
    }
    std::vector<SubscriberMatch> out;
    std::size_t i = 0;
    std::size_t matched = 0;
    for (auto _ : state)
    {
        f->tree.Match(f->names[i++ & 8191], out);
        matched += out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["subs"] = static_cast<double>(f->tree.Size());
    state.counters["nodes"] = static_cast<double>(f->tree.NodeCount());
    state.counters["hits/call"] =
        static_cast<double>(matched) / static_cast<double>(state.iterations());
}

void
BM_TreeMatchMixed(benchmark::State& state)
{
    TreeMatch(state, Mix::Mixed);
}

void
BM_TreeMatchExactOnly(benchmark::State& state)
{
    TreeMatch(state, Mix::ExactOnly);
}

void
BM_TreeMatchWildcardHeavy(benchmark::State& state)
{
    TreeMatch(state, Mix::WildcardHeavy);
}

/** One item = one Subscribe plus one Unsubscribe of a fresh filter, on a 100k mixed tree. */
void
BM_TreeChurn(benchmark::State& state)
{
    Fixture f(Mix::Mixed);
    std::mt19937 rng(99);
    std::vector<std::pair<std::string, SubscriberId>> batch;
    for (int i = 0; i < 4096; ++i)
    {
        batch.emplace_back(RandomFilter(rng, Mix::Mixed), SUBSCRIBERS + i);
    }
    const std::size_t nodes = f.tree.NodeCount();
    std::size_t i = 0;
    for (auto _ : state)
    {
        const auto& b = batch[i++ & 4095];
        f.tree.Subscribe(b.first, b.second, Qos::AtLeastOnce);
        f.tree.Unsubscribe(b.first, b.second);
    }
    state.SetItemsProcessed(state.iterations());
    if (f.tree.NodeCount() != nodes)
    {
        state.SkipWithError("churn changed the node count");
    }
}

/** 100k retained device messages. */
MqttRetainedStore&
RetainedFixture()
{
    static std::unique_ptr<MqttRetainedStore> store;
    if (!store)
    {
        store = std::make_unique<MqttRetainedStore>();
        std::mt19937 rng(5678);
        uint64_t id = 0;
        while (store->Size() < SUBSCRIPTIONS)
        {
            auto m = std::make_shared<MqttMessage>();
            m->id = ++id;
            m->topic = RandomName(rng);
            m->payload.assign(16, 0x42);
            m->retain = true;
            store->Store(std::move(m));
        }
    }
    return *store;
}

/** Retained lookup by filter; items = messages returned. */
void
RetainedMatch(benchmark::State& state, const std::string& filter)
{
    const MqttRetainedStore& store = RetainedFixture();
    std::vector<MqttMessagePtr> out;
    std::size_t returned = 0;
    for (auto _ : state)
    {
        store.Match(filter, out);
        returned += out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(returned));
    state.counters["hits/call"] =
        static_cast<double>(returned) / static_cast<double>(state.iterations());
    state.counters["calls/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void
BM_RetainedMatchAll(benchmark::State& state)
{
    RetainedMatch(state, "#");
}

void
BM_RetainedMatchSite(benchmark::State& state)
{
    RetainedMatch(state, "site/42/#");
}

void
BM_RetainedMatchMetricOfSite(benchmark::State& state)
{
    RetainedMatch(state, "site/42/device/+/temp");
}

} // namespace

BENCHMARK(BM_TreeMatchMixed);
BENCHMARK(BM_TreeMatchExactOnly);
BENCHMARK(BM_TreeMatchWildcardHeavy);
BENCHMARK(BM_TreeChurn);
BENCHMARK(BM_RetainedMatchAll);
BENCHMARK(BM_RetainedMatchSite);
BENCHMARK(BM_RetainedMatchMetricOfSite);
