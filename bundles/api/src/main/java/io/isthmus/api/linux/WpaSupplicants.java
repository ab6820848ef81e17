package io.isthmus.api.linux;

import org.osgi.annotation.versioning.ProviderType;

/**
 * wpa_supplicant daemons, one per WiFi port, run and supervised (restarted with back-off when they die) by the
 * OS boundary. They start without a configuration file: the WiFi driver configures networks over the control
 * interface ({@code <ctrlDir>/<device>}), so secrets never land in a file. A daemon outlives its caller (a WiFi
 * driver being updated): the next version finds it running and adopts it through the control socket.
 */
@ProviderType
public interface WpaSupplicants {

    /**
     * Runs {@code wpa_supplicant -i device -D driver -C ctrlDir}, or keeps it when it already runs with these
     * settings (a different setting restarts it).
     *
     * @param driver  the wpa_supplicant driver, e.g. {@code nl80211}, or {@code wired} in the lab
     * @param ctrlDir absolute directory of the control sockets
     */
    void run(String device, String driver, String ctrlDir) throws KernelException;

    /** Stops the daemon of a device, if one runs. */
    void stop(String device);
}
