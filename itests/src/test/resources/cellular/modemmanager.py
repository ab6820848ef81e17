'''ModemManager 1.20 D-Bus mock template for python3-dbusmock (Isthmus system tests).

There is no modem on the test machines, so ModemManager itself cannot be used: this template serves
org.freedesktop.ModemManager1 with one LTE modem (Modem, Modem3gpp, Modem.Simple), its SIM and the bearers
it connects, with the properties the real `mmcli` 1.20 reads (`mmcli -m 0 -J` works against it), so the
driver under test talks to the same D-Bus API it talks to on a gateway.

Behaviour: Enable registers on the network (when the network is "up"); Simple.Connect unlocks nothing
(a locked SIM is an error, as in ModemManager), waits for no one, and creates a connected bearer whose
Ip4Config carries the configured static settings; Reset takes the modem back to disabled (locked when
the SIM has a PIN). Test control on org.isthmus.ModemManagerMock at /org/freedesktop/ModemManager1:
DropRegistration(u resetsNeeded), RestoreRegistration(), FailBearer(), FailConnects(u n), RejectApn(s),
Stats() -> JSON string of connect attempts, resets, PIN attempts (times as float seconds).

Parameters (all optional): imei, iccid, interface (wwan0), address (100.65.1.10), prefix (24),
gateway (100.65.1.1), dns (list), mtu (1430), pin ('' = SIM not locked), rejectApns (list).
'''

import json
import time

import dbus
import dbus.exceptions

from dbusmock import MOCK_IFACE  # noqa: F401  (the mock interface this template extends)
from dbusmock import mockobject

BUS_NAME = 'org.freedesktop.ModemManager1'
MAIN_OBJ = '/org/freedesktop/ModemManager1'
MAIN_IFACE = 'org.freedesktop.ModemManager1'
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

CONTROL_IFACE = 'org.isthmus.ModemManagerMock'
MODEM_IFACE = 'org.freedesktop.ModemManager1.Modem'
MODEM_3GPP_IFACE = 'org.freedesktop.ModemManager1.Modem.Modem3gpp'
SIMPLE_IFACE = 'org.freedesktop.ModemManager1.Modem.Simple'
SIM_IFACE = 'org.freedesktop.ModemManager1.Sim'
BEARER_IFACE = 'org.freedesktop.ModemManager1.Bearer'
OBJECT_MANAGER_IFACE = 'org.freedesktop.DBus.ObjectManager'
ERR = 'org.freedesktop.ModemManager1.Error.'

MODEM_PATH = MAIN_OBJ + '/Modem/0'
SIM_PATH = MAIN_OBJ + '/SIM/0'

# MMModemState
FAILED, UNKNOWN, INITIALIZING, LOCKED, DISABLED, DISABLING, ENABLING, ENABLED, SEARCHING, REGISTERED, \
    DISCONNECTING, CONNECTING, CONNECTED = range(-1, 12)
# MMModemLock
LOCK_NONE, LOCK_SIM_PIN, LOCK_SIM_PUK = 1, 2, 4
# MMModem3gppRegistrationState
REG_IDLE, REG_HOME, REG_SEARCHING = 0, 1, 2
ACCESS_LTE = 1 << 14

S = {}  # the mock's state: one modem per mock process


def u32(v):
    return dbus.UInt32(v)


def _raise(name, message):
    raise dbus.exceptions.DBusException(message, name=ERR + name)


def load(mock, parameters):
    S.clear()
    S.update({
        'mock': mock,
        'imei': str(parameters.get('imei', '356938035643809')),
        'iccid': str(parameters.get('iccid', '89490200001234567890')),
        'interface': str(parameters.get('interface', 'wwan0')),
        'address': str(parameters.get('address', '100.65.1.10')),
        'prefix': int(parameters.get('prefix', 24)),
        'gateway': str(parameters.get('gateway', '100.65.1.1')),
        'dns': [str(d) for d in parameters.get('dns', ['203.0.113.53'])],
        'mtu': int(parameters.get('mtu', 1430)),
        'pin': str(parameters.get('pin', '')),
        'pin_retries': 3,
        'network_up': True,
        'resets_needed': 0,
        'fail_connects': 0,
        'rejected_apns': set(str(a) for a in parameters.get('rejectApns', [])),
        'bearer_counter': 0,
        'connects': [],
        'resets': [],
        'pins': [],
        'enables': [],
    })
    mock.AddProperties(MAIN_IFACE, {'Version': dbus.String('1.20.4')})
    mock.AddMethods(MAIN_IFACE, [
        ('ScanDevices', '', '', ''),
        ('SetLogging', 's', '', ''),
        ('ReportKernelEvent', 'a{sv}', '', ''),
        ('InhibitDevice', 'sb', '', ''),
    ])
    # like ModemManager, the object manager lists modems only (SIM and bearer objects exist, unlisted)
    mock.AddMethod(OBJECT_MANAGER_IFACE, 'GetManagedObjects', '', 'a{oa{sa{sv}}}',
                   'ret = {dbus.ObjectPath(k): objects[k].props for k in objects.keys() if "/Modem/" in k}')
    _add_sim(mock)
    _add_modem(mock)
    mock.object_manager_emit_added(MODEM_PATH)


def _modem():
    return mockobject.objects[MODEM_PATH]


def _sim():
    return mockobject.objects[SIM_PATH]


def _add_sim(mock):
    locked = bool(S['pin'])
    mock.AddObject(SIM_PATH, SIM_IFACE, {
        'Active': dbus.Boolean(True),
        'SimIdentifier': dbus.String(S['iccid']),
        'Imsi': dbus.String('262019876543210'),
        'Eid': dbus.String(''),
        'OperatorIdentifier': dbus.String('26201'),
        'OperatorName': dbus.String('Isthmus Lab Mobile'),
        'EmergencyNumbers': dbus.Array([], signature='s'),
        'PreferredNetworks': dbus.Array([], signature='(su)'),
        'Gid1': dbus.Array([], signature='y'),
        'Gid2': dbus.Array([], signature='y'),
        'SimType': u32(1),
        'EsimStatus': u32(0),
        'Removability': u32(1),
    }, [])
    sim = _sim()
    sim.AddMethod(SIM_IFACE, 'SendPin', 's', '', _send_pin)
    sim.AddMethods(SIM_IFACE, [
        ('SendPuk', 'ss', '', ''),
        ('EnablePin', 'sb', '', ''),
        ('ChangePin', 'ss', '', ''),
        ('SetPreferredNetworks', 'a(su)', '', ''),
    ])
    S['locked'] = locked


def _add_modem(mock):
    locked = bool(S['pin'])
    mock.AddObject(MODEM_PATH, MODEM_IFACE, {
        'Sim': dbus.ObjectPath(SIM_PATH),
        'SimSlots': dbus.Array([], signature='o'),
        'PrimarySimSlot': u32(0),
        'Bearers': dbus.Array([], signature='o'),
        'SupportedCapabilities': dbus.Array([u32(4 | 8)], signature='u'),
        'CurrentCapabilities': u32(4 | 8),
        'MaxBearers': u32(1),
        'MaxActiveBearers': u32(1),
        'MaxActiveMultiplexedBearers': u32(0),
        'Manufacturer': dbus.String('Isthmus Lab'),
        'Model': dbus.String('Mock LTE modem'),
        'Revision': dbus.String('1.0.0'),
        'CarrierConfiguration': dbus.String('default'),
        'CarrierConfigurationRevision': dbus.String('0'),
        'HardwareRevision': dbus.String('1'),
        'DeviceIdentifier': dbus.String('b4a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9'),
        'Device': dbus.String('/sys/devices/isthmus-lab/mock-modem'),
        'Physdev': dbus.String('/sys/devices/isthmus-lab/mock-modem'),
        'Drivers': dbus.Array(['qmi_wwan'], signature='s'),
        'Plugin': dbus.String('generic'),
        'PrimaryPort': dbus.String('cdc-wdm0'),
        'Ports': dbus.Array([dbus.Struct(('cdc-wdm0', u32(6)), signature='su'),
                             dbus.Struct((S['interface'], u32(2)), signature='su')], signature='(su)'),
        'EquipmentIdentifier': dbus.String(S['imei']),
        'UnlockRequired': u32(LOCK_SIM_PIN if locked else LOCK_NONE),
        'UnlockRetries': dbus.Dictionary({u32(LOCK_SIM_PIN): u32(S['pin_retries'])}, signature='uu'),
        'State': dbus.Int32(LOCKED if locked else DISABLED),
        'StateFailedReason': u32(0),
        'AccessTechnologies': u32(0),
        'SignalQuality': dbus.Struct((u32(0), dbus.Boolean(True)), signature='ub'),
        'OwnNumbers': dbus.Array([], signature='s'),
        'PowerState': u32(3),
        'SupportedModes': dbus.Array([dbus.Struct((u32(14), u32(8)), signature='uu')], signature='(uu)'),
        'CurrentModes': dbus.Struct((u32(14), u32(8)), signature='uu'),
        'SupportedBands': dbus.Array([u32(31), u32(33), u32(38)], signature='u'),
        'CurrentBands': dbus.Array([u32(31), u32(33), u32(38)], signature='u'),
        'SupportedIpFamilies': u32(7),
    }, [])
    modem = _modem()
    modem.AddProperties(MODEM_3GPP_IFACE, {
        'Imei': dbus.String(S['imei']),
        'RegistrationState': u32(REG_IDLE),
        'OperatorCode': dbus.String(''),
        'OperatorName': dbus.String(''),
        'EnabledFacilityLocks': u32(1 if locked else 0),
        'SubscriptionState': u32(0),
        'EpsUeModeOperation': u32(0),
        'Pco': dbus.Array([], signature='(ubay)'),
        'InitialEpsBearer': dbus.ObjectPath('/'),
        'InitialEpsBearerSettings': dbus.Dictionary({}, signature='sv'),
        'PacketServiceState': u32(0),
        'Nr5gRegistrationSettings': dbus.Dictionary({}, signature='sv'),
    })
    modem.AddMethod(MODEM_IFACE, 'Enable', 'b', '', _enable)
    modem.AddMethod(MODEM_IFACE, 'Reset', '', '', _reset)
    modem.AddMethod(MODEM_IFACE, 'ListBearers', '', 'ao', lambda self: _modem_prop('Bearers'))
    modem.AddMethods(MODEM_IFACE, [
        ('CreateBearer', 'a{sv}', 'o', 'raise dbus.exceptions.DBusException("use Simple.Connect", '
                                        'name="org.freedesktop.ModemManager1.Error.Core.Unsupported")'),
        ('DeleteBearer', 'o', '', ''),
        ('FactoryReset', 's', '', ''),
        ('SetPowerState', 'u', '', ''),
        ('SetCurrentCapabilities', 'u', '', ''),
        ('SetCurrentModes', '(uu)', '', ''),
        ('SetCurrentBands', 'au', '', ''),
        ('SetPrimarySimSlot', 'u', '', ''),
        ('GetCellInfo', '', 'aa{sv}', 'ret = []'),
        ('Command', 'su', 's', 'ret = ""'),
    ])
    modem.AddMethods(MODEM_3GPP_IFACE, [
        ('Register', 's', '', ''),
        ('Scan', '', 'aa{sv}', 'ret = []'),
        ('SetEpsUeModeOperation', 'u', '', ''),
        ('SetInitialEpsBearerSettings', 'a{sv}', '', ''),
        ('DisableFacilityLock', '(us)', '', ''),
        ('SetCarrierLock', 'ay', '', ''),
        ('SetPacketServiceState', 'u', '', ''),
        ('SetNr5gRegistrationSettings', 'a{sv}', '', ''),
    ])
    modem.AddMethod(SIMPLE_IFACE, 'Connect', 'a{sv}', 'o', _connect)
    modem.AddMethod(SIMPLE_IFACE, 'Disconnect', 'o', '', _disconnect)
    modem.AddMethod(SIMPLE_IFACE, 'GetStatus', '', 'a{sv}', _status)
    # an interface without properties must still show in GetManagedObjects, or mmcli misses it
    modem.props[SIMPLE_IFACE] = dbus.Dictionary({}, signature='sv')


def _update(obj, iface, props):
    '''Sets properties and emits PropertiesChanged (dbusmock's UpdateProperties cannot wrap structs,
    dictionaries or object paths into variants).'''
    for name, value in props.items():
        obj.props[iface][name] = value
    obj.EmitSignal(dbus.PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as',
                   [iface, dbus.Dictionary(props, signature='sv'), dbus.Array([], signature='s')])


def _modem_prop(name, iface=MODEM_IFACE):
    return _modem().props[iface][name]


def _set_state(new, reason=0):
    old = int(_modem_prop('State'))
    if old != new:
        _update(_modem(), MODEM_IFACE, {'State': dbus.Int32(new)})
        _modem().EmitSignal(MODEM_IFACE, 'StateChanged', 'iiu', [dbus.Int32(old), dbus.Int32(new), u32(reason)])


def _register():
    '''The modem finds the network (or searches while it is down).'''
    modem = _modem()
    if S['network_up']:
        _update(modem, MODEM_3GPP_IFACE, {
            'RegistrationState': u32(REG_HOME), 'OperatorCode': dbus.String('26201'),
            'OperatorName': dbus.String('Isthmus Lab Mobile'), 'PacketServiceState': u32(2)})
        _update(modem, MODEM_IFACE, {
            'AccessTechnologies': u32(ACCESS_LTE),
            'SignalQuality': dbus.Struct((u32(78), dbus.Boolean(True)), signature='ub')})
        _set_state(REGISTERED)
    else:
        _update(modem, MODEM_3GPP_IFACE, {
            'RegistrationState': u32(REG_SEARCHING), 'OperatorCode': dbus.String(''),
            'OperatorName': dbus.String(''), 'PacketServiceState': u32(1)})
        _update(modem, MODEM_IFACE, {
            'AccessTechnologies': u32(0),
            'SignalQuality': dbus.Struct((u32(0), dbus.Boolean(True)), signature='ub')})
        _set_state(SEARCHING)


def _enable(self, enable):
    S['enables'].append(time.time())
    state = int(_modem_prop('State'))
    if state == LOCKED:
        _raise('Core.WrongState', 'modem is locked')
    if enable:
        if state <= DISABLED:
            _set_state(ENABLING)
            _register()
    else:
        _drop_bearers('disabled')
        _set_state(DISABLED)


def _send_pin(self, pin):
    ok = pin == S['pin']
    S['pins'].append({'t': time.time(), 'ok': ok})
    modem = _modem()
    if ok:
        _update(modem, MODEM_IFACE, {'UnlockRequired': u32(LOCK_NONE)})
        _set_state(DISABLED)
        return
    S['pin_retries'] -= 1
    _update(modem, MODEM_IFACE, {
        'UnlockRetries': dbus.Dictionary({u32(LOCK_SIM_PIN): u32(S['pin_retries'])}, signature='uu')})
    if S['pin_retries'] <= 0:
        _update(modem, MODEM_IFACE, {'UnlockRequired': u32(LOCK_SIM_PUK)})
    _raise('MobileEquipment.IncorrectPassword', 'Incorrect password')


def _connect(self, properties):
    apn = str(properties.get('apn', ''))
    attempt = {'t': time.time(), 'apn': apn}
    S['connects'].append(attempt)
    state = int(_modem_prop('State'))
    try:
        if state == LOCKED:
            _raise('MobileEquipment.SimPin', 'SIM PIN required')
        if state <= DISABLED:
            _set_state(ENABLING)
            _register()
        if not S['network_up']:
            _raise('MobileEquipment.NetworkTimeout', 'Network timeout: not registered')
        if S['fail_connects'] > 0:
            S['fail_connects'] -= 1
            _raise('Core.Failed', 'Connection attempt failed')
        if apn in S['rejected_apns']:
            _raise('MobileEquipment.MissingOrUnknownApn', 'Missing or unknown APN')
    except dbus.exceptions.DBusException as e:
        attempt['result'] = e.get_dbus_name()
        raise
    attempt['result'] = 'ok'
    _drop_bearers('replaced')
    for path in list(mockobject.objects.keys()):
        if '/Bearer/' in path:
            S['mock'].RemoveObject(path)
    S['bearer_counter'] += 1
    path = MAIN_OBJ + '/Bearer/' + str(S['bearer_counter'])
    ip4 = {'method': u32(2), 'address': dbus.String(S['address']), 'prefix': u32(S['prefix']),
           'gateway': dbus.String(S['gateway']), 'mtu': u32(S['mtu'])}
    for i, d in enumerate(S['dns'][:3]):
        ip4['dns' + str(i + 1)] = dbus.String(d)
    S['mock'].AddObject(path, BEARER_IFACE, {
        'Interface': dbus.String(S['interface']),
        'Connected': dbus.Boolean(True),
        'ConnectionError': dbus.Struct(('', ''), signature='ss'),
        'Suspended': dbus.Boolean(False),
        'Multiplexed': dbus.Boolean(False),
        'Ip4Config': dbus.Dictionary(ip4, signature='sv'),
        'Ip6Config': dbus.Dictionary({'method': u32(0)}, signature='sv'),
        'Stats': dbus.Dictionary({}, signature='sv'),
        'ReloadStatsSupported': dbus.Boolean(False),
        'IpTimeout': u32(20),
        'BearerType': u32(1),
        'ProfileId': dbus.Int32(-1),
        'Properties': dbus.Dictionary({'apn': dbus.String(apn),
                                       'ip-type': properties.get('ip-type', u32(1))}, signature='sv'),
    }, [('Connect', '', '', ''), ('Disconnect', '', '', '')])
    _update(_modem(), MODEM_IFACE, {'Bearers': dbus.Array([dbus.ObjectPath(path)], signature='o')})
    _set_state(CONNECTED)
    return dbus.ObjectPath(path)


def _disconnect(self, bearer):
    _drop_bearers('disconnected')
    if int(_modem_prop('State')) == CONNECTED:
        _set_state(REGISTERED if S['network_up'] else SEARCHING)


def _status(self):
    return dbus.Dictionary({'state': u32(max(0, int(_modem_prop('State'))))}, signature='sv')


def _drop_bearers(why, error='org.freedesktop.ModemManager1.Error.Core.Cancelled'):
    for path in list(mockobject.objects.keys()):
        if '/Bearer/' in path:
            bearer = mockobject.objects[path]
            if bool(bearer.props[BEARER_IFACE]['Connected']):
                _update(bearer, BEARER_IFACE, {
                    'Connected': dbus.Boolean(False),
                    'ConnectionError': dbus.Struct((error, why), signature='ss')})


def _reset(self):
    S['resets'].append(time.time())
    _drop_bearers('reset')
    if S['resets_needed'] > 0:
        S['resets_needed'] -= 1
        if S['resets_needed'] == 0:
            S['network_up'] = True
    modem = _modem()
    _update(modem, MODEM_IFACE, {'Bearers': dbus.Array([], signature='o')})
    _update(modem, MODEM_3GPP_IFACE, {'RegistrationState': u32(REG_IDLE)})
    if S['pin']:
        _update(modem, MODEM_IFACE, {'UnlockRequired': u32(LOCK_SIM_PIN)})
        _set_state(LOCKED)
    else:
        _set_state(DISABLED)


@dbus.service.method(CONTROL_IFACE, in_signature='u', out_signature='')
def DropRegistration(self, resets_needed):
    '''The network goes away: bearers drop, the modem searches. With resetsNeeded > 0 the modem is stuck
    and registers again only after that many resets; with 0 only after RestoreRegistration().'''
    S['network_up'] = False
    S['resets_needed'] = int(resets_needed)
    _drop_bearers('registration lost', 'org.freedesktop.ModemManager1.Error.MobileEquipment.NoNetwork')
    if int(_modem_prop('State')) >= ENABLED:
        _register()


@dbus.service.method(CONTROL_IFACE, in_signature='', out_signature='')
def RestoreRegistration(self):
    S['network_up'] = True
    S['resets_needed'] = 0
    if int(_modem_prop('State')) >= ENABLED and int(_modem_prop('State')) < CONNECTED:
        _register()


@dbus.service.method(CONTROL_IFACE, in_signature='', out_signature='')
def FailBearer(self):
    '''The connected bearer drops (registration stays).'''
    _drop_bearers('bearer failed', 'org.freedesktop.ModemManager1.Error.Core.Failed')
    if int(_modem_prop('State')) == CONNECTED:
        _set_state(REGISTERED)


@dbus.service.method(CONTROL_IFACE, in_signature='u', out_signature='')
def FailConnects(self, n):
    S['fail_connects'] = int(n)


@dbus.service.method(CONTROL_IFACE, in_signature='s', out_signature='')
def RejectApn(self, apn):
    S['rejected_apns'].add(str(apn))


@dbus.service.method(CONTROL_IFACE, in_signature='', out_signature='s')
def Stats(self):
    return json.dumps({'connects': S['connects'], 'resets': S['resets'], 'pins': S['pins'],
                       'enables': S['enables'], 'state': int(_modem_prop('State')),
                       'pinRetries': S['pin_retries']})
