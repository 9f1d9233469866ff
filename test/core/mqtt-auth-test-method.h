/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A two-round authentication method for the engines' tests, with no cryptography (the core tests
 * link no OpenSSL): the client names itself, the server challenges, the client answers
 * "SECRET:CHALLENGE", the server's final data is "ok:USER" and the client checks it. Bytes stay
 * readable in the tests' exact packets.
 */
#ifndef MQTT_AUTH_TEST_METHOD_H
#define MQTT_AUTH_TEST_METHOD_H

#include "mqtt-auth-method.h"

#include <map>
#include <string>

namespace mqtt_test
{

using ns3::mqtt::MqttAuthMethod;
using ns3::mqtt::MqttAuthStep;
using ns3::mqtt::ReasonCode;

inline std::vector<uint8_t>
AuthBytes(const std::string& s)
{
    return std::vector<uint8_t>(s.begin(), s.end());
}

inline std::string
AuthText(const std::optional<std::vector<uint8_t>>& data)
{
    return data ? std::string(data->begin(), data->end()) : std::string("<none>");
}

class ChallengeMethod : public MqttAuthMethod
{
  public:
    static inline const std::string NAME = "TEST-CHALLENGE";

    /** Users and their secrets (server side). Each exchange's challenge is "cN", N counting up. */
    explicit ChallengeMethod(std::map<std::string, std::string> users = {{"alice", "pw"}})
        : m_users(std::move(users))
    {
    }

    const std::string&
    Name() const override
    {
        return NAME;
    }

    class Server : public ServerExchange
    {
      public:
        Server(const ChallengeMethod& m, int n)
            : m_method(m)
            , m_challenge("c" + std::to_string(n))
        {
        }

        MqttAuthStep
        Step(const std::optional<std::vector<uint8_t>>& data) override
        {
            ++m_round;
            if (m_round == 1)
            {
                if (!data || m_method.m_users.count(AuthText(data)) == 0)
                {
                    return MqttAuthStep::Failure(ReasonCode::NotAuthorized, "unknown user");
                }
                m_user = AuthText(data);
                return MqttAuthStep::Continue(AuthBytes(m_challenge));
            }
            if (m_round == 2 && AuthText(data) == m_method.m_users.at(m_user) + ":" + m_challenge)
            {
                m_done = true;
                return MqttAuthStep::Success(AuthBytes("ok:" + m_user));
            }
            return MqttAuthStep::Failure(ReasonCode::NotAuthorized, "bad answer");
        }

        std::optional<std::string>
        Identity() const override
        {
            return m_done ? std::optional<std::string>(m_user) : std::nullopt;
        }

      private:
        const ChallengeMethod& m_method;
        std::string m_challenge;
        std::string m_user;
        int m_round = 0;
        bool m_done = false;
    };

    class Client : public ClientExchange
    {
      public:
        explicit Client(ClientCredentials c)
            : m_c(std::move(c))
        {
        }

        MqttAuthStep
        Start() override
        {
            return MqttAuthStep::Continue(AuthBytes(m_c.userName));
        }

        MqttAuthStep
        Respond(const std::optional<std::vector<uint8_t>>& data) override
        {
            return MqttAuthStep::Continue(AuthBytes(
                std::string(m_c.secret.begin(), m_c.secret.end()) + ":" + AuthText(data)));
        }

        MqttAuthStep
        Finish(const std::optional<std::vector<uint8_t>>& data) override
        {
            if (AuthText(data) == "ok:" + m_c.userName)
            {
                return MqttAuthStep::Success();
            }
            return MqttAuthStep::Failure(ReasonCode::NotAuthorized, "server not proven");
        }

      private:
        ClientCredentials m_c;
    };

    std::unique_ptr<ServerExchange>
    StartServer() const override
    {
        return std::make_unique<Server>(*this, ++m_started);
    }

    std::unique_ptr<ClientExchange>
    StartClient(const ClientCredentials& c) const override
    {
        return std::make_unique<Client>(c);
    }

  private:
    std::map<std::string, std::string> m_users;
    mutable int m_started = 0;
};

} // namespace mqtt_test

#endif // MQTT_AUTH_TEST_METHOD_H
