/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The MQTT 5.0 part of the broker engine's state object: its handlers (CONNECT, CONNACK and
 * DISCONNECT; enhanced authentication; PUBLISH in and out; shared subscriptions; the Will Delay
 * Interval; Reason Strings) and the state they own. Internal, and not a header of its own kind:
 * mqtt-broker-engine-impl.h includes it inside the body of MqttBrokerEngine::Impl, so these are
 * that class's members (defined in model/core/mqtt-broker-v5-*.cc) and keep its rules. What a 5.0
 * connection keeps is in mqtt-broker-v5-state.h.
 */
#ifndef MQTT_BROKER_ENGINE_IMPL_H
#error "the body of MqttBrokerEngine::Impl: include mqtt-broker-engine-impl.h instead"
#endif

// No include guard: this text is part of a class body, and its one includer is guarded.

    /** What the 5.0 checks of an inbound PUBLISH decided (mqtt-broker-v5-publish.cc). */
    enum class Publish5Verdict : uint8_t
    {
        Go,      //!< handle it as usual
        Handled, //!< answered (a reason-coded acknowledgement) and not forwarded
        Closed,  //!< the connection was closed with DISCONNECT
    };

    /** Scratch for sizing 5.0 deliveries against a client's Maximum Packet Size. */
    std::vector<uint8_t> m_sizeScratch;

    // --- MQTT 5.0: CONNECT, CONNACK, DISCONNECT (mqtt-broker-v5-connect.cc) ------------------
    /** A level 5 CONNECT: the connection speaks 5.0 and keeps the client's properties. */
    void ReadConnect5(MqttBrokerConnection& conn, const ConnectPacket& p);
    /** The 5.0 CONNACK accepting @p p: Success and the properties that say what we grant. */
    ConnackPacket Connack5(const MqttBrokerConnection& conn,
                           const ConnectPacket& p,
                           const std::string& clientId,
                           bool sessionPresent) const;
    /** How long a 5.0 session outlives @p conn (0: not at all or never: see IsClean). */
    static Nanos SessionExpiry5(const Mqtt5ConnectionState& v5);
    /** The DISCONNECT a 5.0 client gets before the broker closes its connection for @p spec. */
    void SendDisconnect5(const MqttBrokerConnection& conn,
                         const CloseSpec& spec,
                         MqttActions& out);
    /** A DISCONNECT from a 5.0 client (reason code, Session Expiry). @return false (closed). */
    bool HandleDisconnect5(MqttBrokerConnection& conn,
                           const DisconnectPacket& p,
                           Nanos now,
                           MqttActions& out);
    /** Closes a 5.0 connection with DISCONNECT @p code (and the will, as for any error). */
    bool Disconnect5(MqttBrokerConnection& conn,
                     CloseReason reason,
                     ReasonCode code,
                     Nanos now,
                     MqttActions& out);

    // --- MQTT 5.0: enhanced authentication (mqtt-broker-v5-auth.cc) --------------------------
    /** Whether @p p names an Authentication Method on a 5.0 connection (section 4.12). */
    static bool WantsEnhancedAuth5(const MqttBrokerConnection& conn, const ConnectPacket& p);
    /** Starts the CONNECT's exchange; CONNACK when it ends at once, else AUTH 0x18. */
    void StartConnectAuth5(MqttBrokerConnection& conn,
                           ConnectPacket& p,
                           const std::string& clientId,
                           Nanos now,
                           MqttActions& out);
    /** An AUTH from a 5.0 client. @return false when the connection was closed. */
    bool HandleAuth5(MqttBrokerConnection& conn, const AuthPacket& p, Nanos now, MqttActions& out);
    /** Carries out one step of the exchange under way. @return false when closed. */
    bool ApplyAuthStep5(MqttBrokerConnection& conn, MqttAuthStep step, Nanos now, MqttActions& out);
    /** The Authentication Method and final data a successful CONNACK repeats [MQTT5-4.12.0-5]. */
    static void AddConnackAuth5(const MqttBrokerConnection& conn, Properties& props);

    // --- MQTT 5.0: PUBLISH in and out (mqtt-broker-v5-publish.cc) ---------------------------
    /**
     * The 5.0 checks of an inbound PUBLISH (topic alias, Subscription Identifier, Receive
     * Maximum, Maximum QoS, Retain Available, Payload Format Indicator); leaves in @p p the
     * topic and the properties to forward, and in @p expiresAt the message's expiry.
     */
    Publish5Verdict AdmitPublish5(MqttBrokerConnection& conn,
                                  PublishPacket& p,
                                  Nanos& expiresAt,
                                  Nanos now,
                                  MqttActions& out);
    /** Will Properties as a message keeps them (and the will's expiry in @p expiresAt). */
    static Properties ForwardedProperties5(Properties properties, Nanos& expiresAt, Nanos now,
                                           uint32_t maxMessageExpiry);
    /**
     * Whether @p m may go to @p s now: not expired, and (a 5.0 subscriber) within its Maximum
     * Packet Size; otherwise reported dropped.
     */
    bool Deliverable5(MqttSession& s, const MqttMessagePtr& m, Qos qos, MqttActions& out);
    /** Writes @p m as a 5.0 PUBLISH to @p s's connection (expiry counted down, alias). */
    void EncodePublish5To(MqttSession& s,
                          const MqttMessagePtr& m,
                          Qos qos,
                          uint16_t packetId,
                          bool retain,
                          bool dup,
                          std::vector<uint8_t>& buffer);
    /**
     * Routing to a session with 5.0 subscription options: the subscriptions matching @p m
     * after No Local decide the QoS, the RETAIN flag (Retain As Published) and the
     * Subscription Identifiers (@p delivered is then a copy of @p m carrying them).
     * @return false when No Local leaves no subscription.
     */
    bool Route5(const MqttSession& s,
                const MqttMessagePtr& m,
                Nanos now,
                Qos& qos,
                bool& retain,
                MqttMessagePtr& delivered) const;
    /** The reason code of a refused filter in a 5.0 SUBACK (0x80 in 3.1.1). */
    uint8_t SubscribeFailure5(const MqttBrokerConnection& conn, const TopicRequest& req) const;

    // --- MQTT 5.0: shared subscriptions (mqtt-broker-v5-shared.cc) ---------------------------
    /** Whether @p filter is a shared subscription here ("$share/NAME/FILTER", profile on). */
    bool IsSharedFilter(std::string_view filter) const;
    /** A "$share/" filter the profile would share but whose form is not NAME/FILTER (3.1.1). */
    bool SharedFilterRefused(std::string_view filter) const;
    /** Joins @p s to the group of @p filter if it is shared. @return whether it was. */
    bool SubscribeShared(const MqttSession& s, const std::string& filter);
    /** Takes @p s out of the group of @p filter if it is shared. @return whether it was. */
    bool UnsubscribeShared(const MqttSession& s, const std::string& filter);
    /** One copy of @p m to one member of each group whose filter matches its topic. */
    void RouteShared(const MqttMessagePtr& m, Nanos now, MqttActions& out);
    /**
     * The member of @p g the next message goes to by the profile's policy: an active
     * subscription, connected members first (any member unless @p connectedOnly), never
     * @p except. Null when there is none.
     */
    MqttSession* ChooseMember(MqttSharedGroup& g, bool connectedOnly, SubscriberId except, Nanos now);
    /** Delivers @p m to member @p s of @p g with its subscription's QoS and options. */
    void DeliverShared(MqttSharedGroup& g,
                       MqttSession& s,
                       const MqttMessagePtr& m,
                       Nanos now,
                       MqttActions& out);
    /**
     * @p s went offline and keeps its session: its queued shared deliveries move to a connected
     * member of their group (none connected: they stay); in-flight ones stay [MQTT5-4.8.2-4].
     */
    void SharedMemberOffline(MqttSession& s, MqttActions& out);
    /**
     * @p s ends: it leaves its groups; its queued shared deliveries and its QoS 1 ones in
     * flight go to another member; QoS 2 ones in flight are not sent elsewhere [MQTT5-4.8.2-5].
     */
    void SharedSessionEnds(MqttSession& s, MqttActions& out);
    MqttSharedSubscriptions m_shared;

    // --- MQTT 5.0: Will Delay Interval (mqtt-broker-v5-will.cc) ------------------------------
    /**
     * Holds @p will of @p conn for its Will Delay Interval when it has one: @p s is the session
     * that outlives the connection (null: it ended, the will goes now); a @p takeover is a new
     * connection before the delay, so the will is dropped [MQTT5-3.1.3-9].
     * @return true when the will is not to be published now.
     */
    bool DelayWill(const MqttBrokerConnection& conn,
                   const MqttSession* s,
                   bool takeover,
                   Will& will,
                   Nanos now,
                   MqttActions& out);
    /** A new connection for @p clientId: its delayed will is not sent [MQTT5-3.1.3-9]. */
    void CancelDelayedWill(const std::string& clientId, MqttActions& out);
    /** The delay ran out or the session ended: @p clientId's delayed will is published now. */
    void PublishDelayedWill(const std::string& clientId, MqttActions& out);
    struct DelayedWill
    {
        Will will;
        ConnectionId from = 0;
        std::optional<std::string> userName;
        TimerId timer = 0;
        /** When the delay runs out (durable persistence stores what is left of it). */
        Nanos due{0};
        /** The will's memory charge, moved from its connection (a restored will: charged anew). */
        MqttMemoryCharge charge;
    };
    std::map<std::string, DelayedWill, std::less<>> m_delayedWills;

    // --- MQTT 5.0: Reason Strings (mqtt-broker-v5-reasons.cc) --------------------------------
    /**
     * Writes @p packet to the 5.0 connection @p conn, with the Reason String of its failure
     * code when the profile, the client's Request Problem Information and its Maximum Packet
     * Size allow one.
     */
    void SendPacket5(const MqttBrokerConnection& conn, Packet packet, MqttActions& out);
