package com.joyent.mockcloud.netagent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The shared changefeed's index: which CNs a change item may concern, so an item is handed to
 * those few instead of offered to every CN of the process. Kept up to date by each
 * {@link CnSync} as it starts and stops tracking (on its own loop); read by the
 * {@link SharedChangefeed} on its loop. The index over-approximates nothing and misses nothing
 * that {@link CnSync#onChange} would act on:
 *
 * <ul>
 *   <li>{@code nic}: the CNs tracking the MAC ({@link #addNic}, at the moment the CN puts the
 *       MAC in its map, before its first GET is sent), plus the CN named by the item's
 *       {@code cn_uuid};
 *   <li>{@code network}: the CNs tracking the network ({@link #addNetwork});
 *   <li>{@code aggregation}: the CN named by the item's {@code belongs_to_uuid} and the CN whose
 *       uuid starts the aggregation id ({@code <cn>-<name>}): a CN only ever tracks its own.
 * </ul>
 *
 * <p>Because a CN announces a MAC or network before it reads it from NAPI, an item published
 * after that read is routed to it, and one published before is covered by the read itself.
 * The CN applies its own test again on its loop ({@link CnSync#onChange}), so an item routed to
 * a CN that has just stopped tracking is ignored there.
 *
 * <p>Threads: every method may be called from any thread. Per-key updates are atomic
 * ({@code ConcurrentHashMap.compute}); lookups see each key's latest complete value.
 */
final class ChangefeedRoutes {
  private static final CnSync[] NONE = new CnSync[0];

  /** MAC → the CN (a {@link CnSync}) or, rarely (a NIC moving between CNs), several ({@code CnSync[]}). */
  private final ConcurrentHashMap<String, Object> byMac = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<CnSync>> byNetwork = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CnSync> byCn = new ConcurrentHashMap<>();

  void addCn(CnSync s) {
    byCn.put(s.cn, s);
  }

  /** Forgets the CN and every MAC and network it announced (given as it tracks them at the end). */
  void removeCn(CnSync s, Collection<String> macs, Collection<String> networks) {
    byCn.remove(s.cn, s);
    for (String mac : macs) {
      removeNic(mac, s);
    }
    for (String n : networks) {
      removeNetwork(n, s);
    }
  }

  void addNic(String mac, CnSync s) {
    byMac.compute(mac, (k, v) -> {
      if (v == null || v == s) {
        return s;
      }
      CnSync[] old = v instanceof CnSync one ? new CnSync[] {one} : (CnSync[]) v;
      for (CnSync o : old) {
        if (o == s) {
          return v;
        }
      }
      CnSync[] more = Arrays.copyOf(old, old.length + 1);
      more[old.length] = s;
      return more;
    });
  }

  void removeNic(String mac, CnSync s) {
    byMac.computeIfPresent(mac, (k, v) -> {
      if (v == s) {
        return null;
      }
      if (v instanceof CnSync) {
        return v;
      }
      CnSync[] old = (CnSync[]) v;
      List<CnSync> left = new ArrayList<>(old.length);
      for (CnSync o : old) {
        if (o != s) {
          left.add(o);
        }
      }
      return left.size() == 1 ? left.get(0) : left.toArray(NONE);
    });
  }

  void addNetwork(String uuid, CnSync s) {
    byNetwork.compute(uuid, (k, set) -> {
      Set<CnSync> out = set != null ? set : ConcurrentHashMap.newKeySet();
      out.add(s);
      return out;
    });
  }

  void removeNetwork(String uuid, CnSync s) {
    byNetwork.computeIfPresent(uuid, (k, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }

  /** Every CN that joined and has not left. */
  List<CnSync> cns() {
    return new ArrayList<>(byCn.values());
  }

  int size() {
    return byCn.size();
  }

  /** For tests and stats: MACs indexed. */
  int macs() {
    return byMac.size();
  }

  /**
   * Hands {@code to} each CN the item may concern, each once; returns how many. Items of other
   * resources (NAPI also publishes {@code nic_tag}, which net-agent does not ask for) go nowhere.
   */
  @SuppressWarnings("unchecked")
  int route(Map<String, Object> item, Consumer<CnSync> to) {
    if (!(item.get("changedResourceId") instanceof String id)) {
      return 0;
    }
    Object resource = item.get("changeKind") instanceof Map<?, ?> kind ? kind.get("resource") : null;
    if ("nic".equals(resource)) {
      Object v = byMac.get(id.toLowerCase(Locale.ROOT));
      CnSync owner = item.get("cn_uuid") instanceof String c ? byCn.get(c) : null;
      int n = 0;
      if (v instanceof CnSync one) {
        to.accept(one);
        n++;
      } else if (v instanceof CnSync[] many) {
        for (CnSync s : many) {
          to.accept(s);
          n++;
        }
      }
      if (owner != null && !contains(v, owner)) {
        to.accept(owner);
        n++;
      }
      return n;
    }
    if ("network".equals(resource)) {
      Set<CnSync> set = byNetwork.get(id);
      if (set == null) {
        return 0;
      }
      int n = 0;
      for (CnSync s : set) {
        to.accept(s);
        n++;
      }
      return n;
    }
    if ("aggregation".equals(resource)) {
      CnSync byOwner = item.get("belongs_to_uuid") instanceof String c ? byCn.get(c) : null;
      CnSync byId = id.length() > 37 && id.charAt(36) == '-' ? byCn.get(id.substring(0, 36)) : null;
      int n = 0;
      if (byOwner != null) {
        to.accept(byOwner);
        n++;
      }
      if (byId != null && byId != byOwner) {
        to.accept(byId);
        n++;
      }
      return n;
    }
    return 0;
  }

  private static boolean contains(Object v, CnSync s) {
    if (v == s) {
      return true;
    }
    if (v instanceof CnSync[] many) {
      for (CnSync o : many) {
        if (o == s) {
          return true;
        }
      }
    }
    return false;
  }
}
