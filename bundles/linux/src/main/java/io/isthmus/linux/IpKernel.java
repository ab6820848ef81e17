package io.isthmus.linux;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.Kernel;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.Neighbour;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The Kernel service: reads through {@code ip -j}, writes through one {@code ip -batch -} per run of ip
 * changes (sysctl writes in between keep their place in the order).
 */
@Component(service = Kernel.class, configurationPid = LinuxConfig.PID)
public class IpKernel implements Kernel {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** ip -batch names the failing line on stderr as "Command failed -:N". */
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private final ProcessRunner runner;
    private final IpReader reader;
    private final Sysctl sysctl;
    private final AtomicLong writes = new AtomicLong();

    @Activate
    public IpKernel(LinuxConfig config) {
        this(Namespace.of(config.netns()));
    }

    IpKernel(Namespace namespace) {
        this(new ProcessRunner(namespace, TIMEOUT));
    }

    IpKernel(ProcessRunner runner) {
        this.runner = runner;
        this.reader = new IpReader(runner);
        this.sysctl = new Sysctl(runner);
    }

    @Override
    public List<Link> links() throws KernelException {
        return reader.links();
    }

    @Override
    public List<InterfaceAddress> addresses() throws KernelException {
        return reader.addresses();
    }

    @Override
    public List<Route> routes() throws KernelException {
        return reader.routes();
    }

    @Override
    public List<Rule> rules() throws KernelException {
        return reader.rules();
    }

    @Override
    public List<Neighbour> neighbours(String device) throws KernelException {
        return reader.neighbours(device);
    }

    @Override
    public Optional<String> sysctl(String key) throws KernelException {
        return sysctl.read(key);
    }

    @Override
    public void apply(List<KernelChange> changes) throws KernelException {
        List<ChangeStep> steps = ChangeTranslator.translate(List.copyOf(changes));
        List<ChangeStep.IpLine> batch = new ArrayList<>();
        for (ChangeStep step : steps) {
            if (step instanceof ChangeStep.IpLine line) {
                batch.add(line);
                continue;
            }
            runBatch(batch, changes.size());
            batch.clear();
            ChangeStep.SysctlWrite w = (ChangeStep.SysctlWrite) step;
            try {
                sysctl.write(w.key(), w.value());
            } catch (KernelException e) {
                throw failed(w, changes.size(), e.getMessage());
            }
            writes.incrementAndGet();
        }
        runBatch(batch, changes.size());
    }

    @Override
    public long writes() {
        return writes.get();
    }

    private void runBatch(List<ChangeStep.IpLine> lines, int total) throws KernelException {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder input = new StringBuilder();
        lines.forEach(l -> input.append(l.line()).append('\n'));
        ProcessResult r = runner.exec("ip", List.of("-batch", "-"), input.toString());
        if (r.ok()) {
            writes.addAndGet(lines.size());
            return;
        }
        Matcher m = FAILED_LINE.matcher(r.stderr());
        if (!m.find()) {
            throw new KernelException(r.describe()); // not a line failure: nothing known to be applied
        }
        int failed = Integer.parseInt(m.group(1)) - 1;
        if (failed < 0 || failed >= lines.size()) {
            throw new KernelException(r.describe());
        }
        writes.addAndGet(failed); // the lines before it went through
        ChangeStep.IpLine line = lines.get(failed);
        String why = r.stderr().lines().filter(s -> !FAILED_LINE.matcher(s).find()).findFirst().orElse("");
        throw failed(line, total, "ip '" + line.line() + "': " + why);
    }

    private static KernelException failed(ChangeStep step, int total, String why) {
        return new KernelException("change " + (step.index() + 1) + " of " + total + " failed (" + step.change()
                + "); the changes before it were applied: " + why);
    }
}
