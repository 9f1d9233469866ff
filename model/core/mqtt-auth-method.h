/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * MQTT 5.0 enhanced authentication (section 4.12): a method such as SCRAM-SHA-256, seen by the
 * engines as exchanges of Authentication Data. The core has no cryptography: methods are
 * implemented outside it (model/crypto, OpenSSL) and handed to the engines by the drivers through
 * an MqttAuthMethods registry, as MqttPasswordVerifier is for hashed passwords (doc/auth.md).
 *
 * One exchange authenticates once: the CONNECT's, or one re-authentication (AUTH 0x19) of a
 * connected client. An exchange is I/O-free and clock-free: data in, a step out.
 */
#ifndef MQTT_AUTH_METHOD_H
#define MQTT_AUTH_METHOD_H

#include "mqtt-reason-codes.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ns3
{
namespace mqtt
{

/** What one step of an exchange decided. */
enum class MqttAuthOutcome : uint8_t
{
    Continue, //!< send data to the peer and wait for its answer (AUTH 0x18)
    Success,  //!< authenticated; data, when not empty, is the final data (CONNACK / AUTH 0x00)
    Failure,  //!< refused: reason says why
};

/** One step of an exchange, on either side. */
struct MqttAuthStep
{
    MqttAuthOutcome outcome = MqttAuthOutcome::Failure;
    /**
     * Continue: the Authentication Data to send. Success: the final data for the client (empty:
     * the CONNACK or AUTH carries no Authentication Data).
     */
    std::vector<uint8_t> data{};
    /**
     * Failure: the reason code for CONNACK (connecting) or DISCONNECT (re-authenticating):
     * NotAuthorized (0x87) for bad credentials, BadAuthenticationMethod (0x8C), or
     * MalformedPacket / ProtocolError for data the method cannot parse.
     */
    ReasonCode reason = ReasonCode::NotAuthorized;
    /** Failure: why, in words, for logs and tests (never sent on the wire). */
    std::string detail{};

    static MqttAuthStep Continue(std::vector<uint8_t> data);
    static MqttAuthStep Success(std::vector<uint8_t> finalData = {});
    static MqttAuthStep Failure(ReasonCode reason, std::string detail);
};

/**
 * An authentication method. Stateless and shared: each connection (and each
 * re-authentication) gets its own exchange from StartServer / StartClient.
 */
class MqttAuthMethod
{
  public:
    /** The broker's side of one exchange. */
    class ServerExchange
    {
      public:
        virtual ~ServerExchange() = default;
        /**
         * The client's Authentication Data: first from the CONNECT (or the AUTH 0x19 that
         * starts a re-authentication), then from each AUTH 0x18. Absent when the packet carried
         * none. After Success or Failure the exchange is over: a further call fails.
         */
        virtual MqttAuthStep Step(const std::optional<std::vector<uint8_t>>& clientData) = 0;
        /**
         * After Success: who was authenticated (the user name the broker's ACL applies to), or
         * nothing when the method does not name one.
         */
        virtual std::optional<std::string> Identity() const = 0;
    };

    /** The client's side of one exchange. */
    class ClientExchange
    {
      public:
        virtual ~ClientExchange() = default;
        /**
         * The Authentication Data of the CONNECT (or of the AUTH 0x19 of a re-authentication):
         * Continue with the data (possibly empty: no Authentication Data is sent), or Failure
         * when the client cannot start (no random bytes, bad credentials).
         */
        virtual MqttAuthStep Start() = 0;
        /**
         * The server's data from an AUTH 0x18: Continue with the answer (sent in AUTH 0x18), or
         * Failure (the client disconnects).
         */
        virtual MqttAuthStep Respond(const std::optional<std::vector<uint8_t>>& serverData) = 0;
        /**
         * The final data of the CONNACK 0x00 or AUTH 0x00 that ends the exchange: Success when
         * it proves the server (mutual authentication), else Failure (the client closes).
         */
        virtual MqttAuthStep Finish(const std::optional<std::vector<uint8_t>>& finalData) = 0;
    };

    /** What a client authenticates with. */
    struct ClientCredentials
    {
        std::string userName;
        std::vector<uint8_t> secret;
    };

    virtual ~MqttAuthMethod() = default;
    /** The Authentication Method property's value, e.g. "SCRAM-SHA-256". */
    virtual const std::string& Name() const = 0;
    virtual std::unique_ptr<ServerExchange> StartServer() const = 0;
    virtual std::unique_ptr<ClientExchange> StartClient(
        const ClientCredentials& credentials) const = 0;
};

/**
 * The methods a broker accepts (or a client may use), by name. Filled by the driver; the engine
 * looks up the Authentication Method of each CONNECT here. Names are compared exactly (the
 * property is a UTF-8 string, section 3.1.2.11.9).
 */
class MqttAuthMethods
{
  public:
    /** Adds @p method under its Name(), replacing one of the same name. */
    void Add(std::shared_ptr<const MqttAuthMethod> method);
    /** The method of that name, or null. */
    std::shared_ptr<const MqttAuthMethod> Find(std::string_view name) const;
    bool Empty() const;
    /** The names, sorted. */
    std::vector<std::string> Names() const;

  private:
    std::map<std::string, std::shared_ptr<const MqttAuthMethod>, std::less<>> m_methods;
};

} // namespace mqtt
} // namespace ns3

#endif // MQTT_AUTH_METHOD_H
