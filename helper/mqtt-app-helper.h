/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * What MqttBrokerHelper and MqttClientHelper share: an ObjectFactory for one application type,
 * its Install overloads and the assignment of random streams.
 */
#ifndef MQTT_APP_HELPER_H
#define MQTT_APP_HELPER_H

#include "ns3/application-container.h"
#include "ns3/attribute.h"
#include "ns3/names.h"
#include "ns3/node-container.h"
#include "ns3/node.h"
#include "ns3/object-factory.h"

#include <string>

namespace ns3
{
namespace mqtt
{

/**
 * Creates @p App applications with the Attributes set on it.
 *
 * The members are defined below but instantiated only in the .cc of each helper (explicit
 * instantiation, declared at the end of this file), so that users of a helper need not see the
 * full application class.
 */
template<typename App>
class MqttAppHelper
{
  public:
    virtual ~MqttAppHelper() = default;

    void SetAttribute(const std::string& name, const AttributeValue& value);

    ApplicationContainer Install(Ptr<Node> node) const;
    ApplicationContainer Install(const std::string& nodeName) const;
    ApplicationContainer Install(NodeContainer nodes) const;

    /**
     * Assigns fixed random streams, from @p stream on, to the @p App applications in @p apps.
     * @return the number of streams used
     */
    static int64_t AssignStreams(ApplicationContainer apps, int64_t stream);
    /** The same for every @p App application on @p nodes. */
    static int64_t AssignStreams(NodeContainer nodes, int64_t stream);

  protected:
    MqttAppHelper();

    /** Called on each new application before it is added to its node. */
    virtual void Configure(Ptr<App> app) const;

    ObjectFactory m_factory; //!< makes the applications
};

template<typename App>
MqttAppHelper<App>::MqttAppHelper()
{
    m_factory.SetTypeId(App::GetTypeId());
}

template<typename App>
void
MqttAppHelper<App>::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

template<typename App>
void
MqttAppHelper<App>::Configure(Ptr<App> /* app */) const
{
}

template<typename App>
ApplicationContainer
MqttAppHelper<App>::Install(Ptr<Node> node) const
{
    Ptr<App> app = m_factory.Create<App>();
    Configure(app);
    node->AddApplication(app);
    return ApplicationContainer(app);
}

template<typename App>
ApplicationContainer
MqttAppHelper<App>::Install(const std::string& nodeName) const
{
    return Install(Names::Find<Node>(nodeName));
}

template<typename App>
ApplicationContainer
MqttAppHelper<App>::Install(NodeContainer nodes) const
{
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        apps.Add(Install(*it));
    }
    return apps;
}

template<typename App>
int64_t
MqttAppHelper<App>::AssignStreams(ApplicationContainer apps, int64_t stream)
{
    int64_t current = stream;
    for (auto it = apps.Begin(); it != apps.End(); ++it)
    {
        if (Ptr<App> app = DynamicCast<App>(*it))
        {
            current += app->AssignStreams(current);
        }
    }
    return current - stream;
}

template<typename App>
int64_t
MqttAppHelper<App>::AssignStreams(NodeContainer nodes, int64_t stream)
{
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        for (uint32_t i = 0; i < (*it)->GetNApplications(); ++i)
        {
            apps.Add((*it)->GetApplication(i));
        }
    }
    return AssignStreams(apps, stream);
}

class MqttBroker;
class MqttClient;
extern template class MqttAppHelper<MqttBroker>; //!< in mqtt-broker-helper.cc
extern template class MqttAppHelper<MqttClient>; //!< in mqtt-client-helper.cc

} // namespace mqtt
} // namespace ns3

#endif // MQTT_APP_HELPER_H
