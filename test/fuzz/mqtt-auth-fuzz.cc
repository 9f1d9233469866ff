/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The password and ACL parsers and the ACL checks on arbitrary bytes: never crash, report an
 * error line inside the text, and keep FilterCovers consistent with TopicMatches.
 */
#include "mqtt-acl.h"
#include "mqtt-authenticator.h"
#include "mqtt-topic.h"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace ns3::mqtt;

namespace
{

void
Check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

void
CheckErrorLine(const MqttConfigError& error, std::string_view text)
{
    Check(error.line >= 1 && error.line <= SplitConfigLines(text).size());
    Check(error.file == "fuzz.txt");
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    MqttConfigError error;

    MqttAuthenticator auth;
    if (auth.Parse(text, "fuzz.txt", error))
    {
        auth.Authenticate(std::string("alice"), std::vector<uint8_t>{'p', 'w'});
        auth.Authenticate(std::nullopt, std::nullopt);
    }
    else
    {
        CheckErrorLine(error, text);
    }

    MqttAcl acl;
    if (acl.Parse(text, "fuzz.txt", error))
    {
        for (const char* clientId : {"dev1", "+", ""})
        {
            for (const std::optional<std::string>& user :
                 {std::optional<std::string>("alice"), std::optional<std::string>()})
            {
                acl.MayPublish(clientId, user, "devices/dev1/t");
                acl.MayReceive(clientId, user, "$SYS/x");
                acl.MaySubscribe(clientId, user, "a/#");
            }
        }
    }
    else
    {
        CheckErrorLine(error, text);
    }

    // The first line as a rule, the rest as a requested filter.
    const std::size_t nl = text.find('\n');
    if (nl != std::string_view::npos)
    {
        const std::string_view rule = text.substr(0, nl);
        const std::string_view requested = text.substr(nl + 1);
        if (ValidateTopicFilter(rule) == TopicError::None &&
            ValidateTopicFilter(requested) == TopicError::None)
        {
            const bool covers = FilterCovers(rule, requested);
            Check(FilterCovers(rule, rule));
            // A filter without wildcards is one name: covering it is matching it.
            if (ValidateTopicName(requested) == TopicError::None)
            {
                Check(covers == TopicMatches(rule, requested));
            }
        }
    }
    return 0;
}
