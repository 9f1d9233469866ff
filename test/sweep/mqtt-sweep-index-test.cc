/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The sweep index: exact JSON lines, round trips, the latest row of a run wins, a torn last
 * line is skipped and does not swallow the next row, compaction keeps one row per run in plan
 * order.
 */
#include "mqtt-sweep-index.h"
#include "mqtt-sweep-test-util.h"

#include <gtest/gtest.h>

using namespace ns3::mqtt;

namespace
{

MqttSweepIndexRow
Row(const std::string& id, const std::string& status)
{
    MqttSweepIndexRow r;
    r.id = id;
    r.params = {{"links.access.loss.rate", "0.05"}, {"devices.sensors.qos", "1"}};
    r.seed = 1;
    r.run = 3;
    r.status = status;
    r.exitCode = status == "ok" ? 0 : 3;
    r.reason = status == "ok" ? "" : "exit 3";
    r.wallTime = 1.25;
    r.path = "runs/" + id;
    r.results = r.path + "/results.h5";
    r.log = "logs/" + id + ".log";
    r.host = "node-7";
    r.rank = 2;
    r.fingerprint = "0123456789abcdef";
    return r;
}

TEST(SweepIndex, ExactJsonLine)
{
    EXPECT_EQ(MqttSweepIndex::ToJson(Row("loss=0.05_qos=1_run=3", "failed")),
              R"({"id":"loss=0.05_qos=1_run=3","params":{"links.access.loss.rate":"0.05",)"
              R"("devices.sensors.qos":"1"},"seed":1,"run":3,"status":"failed",)"
              R"("exit_code":3,"signal":0,"reason":"exit 3","wall_time":1.25,)"
              R"("path":"runs/loss=0.05_qos=1_run=3",)"
              R"("results":"runs/loss=0.05_qos=1_run=3/results.h5",)"
              R"("log":"logs/loss=0.05_qos=1_run=3.log","host":"node-7","rank":2,)"
              R"("fingerprint":"0123456789abcdef"})");
}

TEST(SweepIndex, JsonStringEscapes)
{
    MqttSweepIndexRow r = Row("x", "failed");
    r.reason = "a\"b\\c\nd\te\x01";
    r.wallTime = 1.23449;
    std::string line = MqttSweepIndex::ToJson(r);
    EXPECT_NE(line.find(R"("reason":"a\"b\\c\nd\te\u0001")"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("wall_time":1.234,)"), std::string::npos) << line;
}

TEST(SweepIndex, RoundTrip)
{
    MqttSweepIndexRow r = Row("x", "failed");
    r.reason = "killed by signal 11 (\"Segmentation fault\")\n\\";
    r.params.emplace_back("broker.profile", "a b: {c}");
    r.signal = 11;
    r.exitCode = -1;
    std::string error;
    auto back = MqttSweepIndex::FromJson(MqttSweepIndex::ToJson(r), &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, r);
    MqttSweepIndexRow empty = Row("y", "ok");
    empty.params.clear();
    back = MqttSweepIndex::FromJson(MqttSweepIndex::ToJson(empty), &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, empty);
}

TEST(SweepIndex, FromJsonRejects)
{
    std::string error;
    std::string line = MqttSweepIndex::ToJson(Row("x", "ok"));
    EXPECT_FALSE(MqttSweepIndex::FromJson(line.substr(0, line.size() - 1), &error));
    EXPECT_FALSE(MqttSweepIndex::FromJson(line.substr(0, 40), &error));
    EXPECT_FALSE(MqttSweepIndex::FromJson("[1, 2]", &error));
    EXPECT_EQ(error, "not a JSON object");
    EXPECT_FALSE(MqttSweepIndex::FromJson(R"({"id": "x"})", &error));
    EXPECT_EQ(error, "no valid 'status'");
    std::string noNumber = line;
    noNumber.replace(noNumber.find("\"run\":3"), 7, "\"run\":\"x\"");
    EXPECT_FALSE(MqttSweepIndex::FromJson(noNumber, &error));
    EXPECT_EQ(error, "no valid 'run'");
}

TEST(SweepIndex, LatestRowWinsAndATornLineIsSkipped)
{
    ScratchDir dir;
    std::string a1 = MqttSweepIndex::ToJson(Row("a", "failed"));
    std::string b = MqttSweepIndex::ToJson(Row("b", "ok"));
    std::string a2 = MqttSweepIndex::ToJson(Row("a", "ok"));
    // The writer was killed in the middle of a line: no newline at the end.
    std::string path = dir.Write("index.jsonl", a1 + "\n" + b + "\n" + a2 + "\n" + b.substr(0, 30));
    MqttSweepIndex index;
    std::size_t bad = 0;
    std::string error;
    ASSERT_TRUE(index.Open(path, &bad, &error)) << error;
    EXPECT_EQ(bad, 1u);
    ASSERT_NE(index.Find("a"), nullptr);
    EXPECT_EQ(index.Find("a")->status, "ok");
    EXPECT_EQ(index.Find("c"), nullptr);
    ASSERT_TRUE(index.Append(Row("c", "failed"), &error));
    // The torn line was ended first, so the new row stands on its own line.
    std::string text = ScratchDir::Read(path);
    EXPECT_EQ(text,
              a1 + "\n" + b + "\n" + a2 + "\n" + b.substr(0, 30) + "\n" +
                  MqttSweepIndex::ToJson(Row("c", "failed")) + "\n");
    MqttSweepIndex again;
    ASSERT_TRUE(again.Open(path, &bad, &error));
    EXPECT_EQ(bad, 1u);
    EXPECT_EQ(again.Find("c")->status, "failed");
}

TEST(SweepIndex, CompactKeepsOneRowPerRunInPlanOrder)
{
    ScratchDir dir;
    std::string path = dir.Path() + "/index.jsonl";
    MqttSweepIndex index;
    std::size_t bad = 0;
    std::string error;
    ASSERT_TRUE(index.Open(path, &bad, &error)) << error;
    ASSERT_TRUE(index.Append(Row("old", "ok"), &error));
    ASSERT_TRUE(index.Append(Row("b", "failed"), &error));
    ASSERT_TRUE(index.Append(Row("a", "ok"), &error));
    ASSERT_TRUE(index.Append(Row("b", "ok"), &error));
    ASSERT_TRUE(index.Compact({"a", "b", "c"}, &error)) << error;
    EXPECT_EQ(ScratchDir::Read(path),
              MqttSweepIndex::ToJson(Row("a", "ok")) + "\n" +
                  MqttSweepIndex::ToJson(Row("b", "ok")) + "\n" +
                  MqttSweepIndex::ToJson(Row("old", "ok")) + "\n");
    // Appends after compaction go to the new file.
    ASSERT_TRUE(index.Append(Row("c", "ok"), &error));
    MqttSweepIndex again;
    ASSERT_TRUE(again.Open(path, &bad, &error));
    EXPECT_EQ(bad, 0u);
    EXPECT_NE(again.Find("c"), nullptr);
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(SweepIndex, ReadOnlyDoesNotCreateTheFile)
{
    ScratchDir dir;
    MqttSweepIndex index;
    std::size_t bad = 0;
    std::string error;
    ASSERT_TRUE(index.Open(dir.Path() + "/index.jsonl", &bad, &error, true));
    EXPECT_FALSE(std::filesystem::exists(dir.Path() + "/index.jsonl"));
}

} // namespace
