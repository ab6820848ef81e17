package io.isthmus.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The liveness answer that gates systemd's watchdog. The framework and SCR are stand-ins (proxies: no OSGi
 * framework runs in a unit test; the launcher's SystemdNotifyTest and UnprivilegedGatewayIT use real ones); the
 * deadlock is a real one between two threads of this JVM.
 */
class LivenessTest {
    private boolean configRegistered = true;
    private int components = 3;

    private Liveness liveness() {
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, a) -> m.getName().equals("getServiceReference")
                        && configRegistered ? Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {ServiceReference.class}, (p2, m2, a2) -> null) : null);
        ServiceComponentRuntime scr = (ServiceComponentRuntime) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceComponentRuntime.class}, (p, m, a) -> switch (m.getName()) {
                    case "getComponentDescriptionDTOs" -> List.of(new ComponentDescriptionDTO());
                    case "getComponentConfigurationDTOs" -> java.util.Collections.nCopies(components,
                            new ComponentConfigurationDTO());
                    default -> null;
                });
        return new Liveness(context, scr);
    }

    @Test
    void aliveAnswersEmpty() {
        assertEquals("", liveness().call());
    }

    @Test
    void configServiceGoneIsAProblem() {
        configRegistered = false;
        assertEquals("the config service is gone", liveness().call());
    }

    @Test
    void noComponentsIsAProblem() {
        components = 0;
        assertEquals("SCR reports no components", liveness().call());
    }

    @Test
    void deadlockedThreadsAreAProblem() throws Exception {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHeld = new CountDownLatch(2);
        Thread t1 = new Thread(() -> cross(a, b, bothHeld), "isthmus-test-deadlock-1");
        Thread t2 = new Thread(() -> cross(b, a, bothHeld), "isthmus-test-deadlock-2");
        t1.start();
        t2.start();
        try {
            bothHeld.await();
            String answer = "";
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!answer.startsWith("deadlocked") && System.nanoTime() < deadline) {
                answer = liveness().call(); // both threads must be parked on the other's lock first
                Thread.sleep(10);
            }
            assertTrue(List.of("deadlocked threads: isthmus-test-deadlock-1, isthmus-test-deadlock-2",
                    "deadlocked threads: isthmus-test-deadlock-2, isthmus-test-deadlock-1").contains(answer), answer);
        } finally {
            t1.interrupt();
            t2.interrupt();
            t1.join(5000);
            t2.join(5000);
        }
    }

    private static void cross(ReentrantLock first, ReentrantLock second, CountDownLatch bothHeld) {
        first.lock();
        try {
            bothHeld.countDown();
            bothHeld.await();
            second.lockInterruptibly();
            second.unlock();
        } catch (InterruptedException e) {
            // the test ends the deadlock
        } finally {
            first.unlock();
        }
    }
}
