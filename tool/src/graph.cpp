#include "retort/graph.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <deque>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

namespace retort {

namespace {

// Lists in messages stay one readable line however large the project is.
constexpr std::size_t max_listed = 5;

std::string join_capped(const std::vector<std::string>& ids) {
  if (ids.size() <= max_listed) return fmt::format("{}", fmt::join(ids, ", "));
  return fmt::format("{} and {} more",
                     fmt::join(ids.begin(), ids.begin() + max_listed, ", "),
                     ids.size() - max_listed);
}

// The script whose id is the same number as `id` ("7" for "0007"), or null;
// `scripts` is in id order, which orders numbers first.
const Script* same_number(const std::vector<Script>& scripts, std::string_view id) {
  const auto it = std::ranges::partition_point(scripts, [&](const Script& script) {
    return id_less(script.id, id) && !id_same_number(script.id, id);
  });
  return it != scripts.end() && id_same_number(it->id, id) ? &*it : nullptr;
}

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

// Strongly connected components (Tarjan) of the parent edges, iterative so
// that a chain of thousands of revisions cannot overflow the stack. Returns
// each node's component number: an edge between two nodes of one component
// (or from a node to itself) lies on a cycle.
std::vector<std::size_t> components(const std::vector<std::vector<std::size_t>>& edges) {
  const std::size_t n = edges.size();
  std::vector<std::size_t> order(n, none), low(n), component(n, none);
  std::vector<std::size_t> stack;
  std::vector<std::pair<std::size_t, std::size_t>> calls;  // node, next edge to follow
  std::size_t counter = 0, count = 0;
  auto visit = [&](std::size_t v) {
    order[v] = low[v] = counter++;
    stack.push_back(v);
    calls.emplace_back(v, 0);
  };
  for (std::size_t root = 0; root < n; ++root) {
    if (order[root] != none) continue;
    visit(root);
    while (!calls.empty()) {
      const auto [v, next] = calls.back();
      if (next < edges[v].size()) {
        ++calls.back().second;
        const std::size_t w = edges[v][next];
        if (order[w] == none)
          visit(w);
        else if (component[w] == none)  // still on the stack
          low[v] = std::min(low[v], order[w]);
        continue;
      }
      calls.pop_back();
      if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[v]);
      if (low[v] != order[v]) continue;
      std::size_t w;
      do {
        w = stack.back();
        stack.pop_back();
        component[w] = count;
      } while (w != v);
      ++count;
    }
  }
  return component;
}

// The shortest path of parent edges from `from` to `to` inside one component,
// both ends included.
std::vector<std::size_t> path_within(const std::vector<std::vector<std::size_t>>& edges,
                                     const std::vector<std::size_t>& component,
                                     std::size_t from, std::size_t to) {
  std::unordered_map<std::size_t, std::size_t> previous{{from, none}};
  std::deque<std::size_t> queue{from};
  while (!queue.empty() && !previous.contains(to)) {
    const std::size_t v = queue.front();
    queue.pop_front();
    for (std::size_t w : edges[v])
      if (component[w] == component[from] && previous.emplace(w, v).second) queue.push_back(w);
  }
  std::vector<std::size_t> path;
  for (std::size_t v = to; v != none; v = previous.at(v)) path.push_back(v);
  std::reverse(path.begin(), path.end());
  return path;
}

Diagnostic located(std::string_view path, int line, std::string message,
                   std::vector<std::string> notes = {}) {
  Diagnostic d;
  d.path = path;
  d.line = line;
  d.message = std::move(message);
  d.notes = std::move(notes);
  return d;
}

Diagnostic at_parent_line(const Script& script, std::string message,
                          std::vector<std::string> notes) {
  return located(script.path, script.parent_line, std::move(message), std::move(notes));
}

}  // namespace

RevisionGraph RevisionGraph::build(std::vector<Script> scripts,
                                   std::vector<Diagnostic>& diagnostics) {
  // Positions are sorted rather than the scripts, which are large to move.
  // Stable, so that among equal ids the file given first is the one kept.
  // load_scripts gives them in order already, so that is checked first.
  std::vector<std::size_t> order(scripts.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto by_id = [&](std::size_t a, std::size_t b) { return id_less(scripts[a].id, scripts[b].id); };
  const bool in_order = std::ranges::is_sorted(order, by_id);
  if (!in_order) std::ranges::stable_sort(order, by_id);
  // Ids equal as numbers ("03", "003") sort next to each other.
  const bool repeated = std::ranges::adjacent_find(order, [&](std::size_t a, std::size_t b) {
                          return id_same_number(scripts[a].id, scripts[b].id);
                        }) != order.end();

  RevisionGraph graph;
  if (in_order && !repeated) {
    // The usual case keeps the vector: a copy of 1000 scripts touched 66
    // pages (260 KB) only to free them again.
    graph.scripts_ = std::move(scripts);
  } else {
    graph.scripts_.reserve(scripts.size());
    for (std::size_t position : order) {
      Script& script = scripts[position];
      if (graph.scripts_.empty() || !id_same_number(graph.scripts_.back().id, script.id)) {
        graph.scripts_.push_back(std::move(script));
        continue;
      }
      const Script& first = graph.scripts_.back();
      const std::string same = first.id == script.id ? "" : " (the same number)";
      diagnostics.push_back(
          located(script.path, 0, fmt::format("duplicate revision id {}", script.id),
                  {fmt::format("{}{} is already the id of {}; give this file an unused id",
                               first.id, same, first.path)}));
    }
  }

  const std::size_t n = graph.scripts_.size();
  // An open-addressing table at most half full: positions + 1, 0 for a free slot.
  graph.slots_.assign(std::bit_ceil(std::max<std::size_t>(2 * n, 1)), 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t slot = std::hash<std::string_view>()(graph.scripts_[i].id);
    while (graph.slots_[slot &= graph.slots_.size() - 1] != 0) ++slot;
    graph.slots_[slot] = i + 1;
  }

  // Parent edges by position; a missing or repeated parent is dropped here.
  std::vector<std::vector<std::size_t>> edges(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Script& script = graph.scripts_[i];
    for (const auto& parent : script.parents) {
      const Script* found = graph.find(parent);
      if (found == nullptr) {
        const Script* similar = same_number(graph.scripts_, parent);
        diagnostics.push_back(at_parent_line(
            script, fmt::format("parent {} does not exist", parent),
            {similar ? fmt::format("did you mean {}?", similar->id)
                     : "name an existing revision, or add the missing script"}));
      } else if (const std::size_t position = graph.position(*found);
                 std::ranges::find(edges[i], position) != edges[i].end()) {
        diagnostics.push_back(at_parent_line(
            script, fmt::format("parent {} is named twice", parent), {"name it once"}));
      } else {
        edges[i].push_back(position);
      }
    }
  }

  // Every cycle needs an edge to a parent that does not sort first, so dropping
  // those edges leaves an acyclic graph in id order. A cycle is reported once,
  // as a cycle, rather than as one ordering error per edge.
  const auto component = components(edges);
  std::vector<bool> reported(n, false);
  for (std::size_t child = 0; child < n; ++child) {
    const Script& script = graph.scripts_[child];
    for (std::size_t parent : edges[child]) {
      if (parent < child) continue;
      if (component[parent] != component[child]) {
        diagnostics.push_back(at_parent_line(
            script,
            fmt::format("parent {} must sort before its child {}: give the child a higher id "
                        "than each of its parents",
                        graph.scripts_[parent].id, script.id),
            {"ids are compared as numbers; renumber the file or fix retort:parent"}));
      } else if (!reported[component[child]]) {
        reported[component[child]] = true;
        std::vector<std::string> cycle{script.id};
        for (std::size_t v : path_within(edges, component, parent, child))
          cycle.push_back(graph.scripts_[v].id);
        diagnostics.push_back(at_parent_line(
            script, fmt::format("parents form a cycle: {}", fmt::join(cycle, " -> ")),
            {"each revision names the next as its parent; fix one retort:parent line"}));
      }
    }
  }

  // Children are counted, then placed, in child order: each parent's come out in id order.
  graph.child_start_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::erase_if(edges[i], [&](std::size_t parent) { return parent >= i; });
    for (std::size_t parent : edges[i]) ++graph.child_start_[parent + 1];
  }
  std::partial_sum(graph.child_start_.begin(), graph.child_start_.end(), graph.child_start_.begin());
  graph.children_.resize(graph.child_start_.back());
  std::vector<std::size_t> placed(graph.child_start_.begin(), graph.child_start_.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    auto& parents = graph.scripts_[i].parents;
    parents.clear();
    for (std::size_t parent : edges[i]) {
      parents.push_back(graph.scripts_[parent].id);
      graph.children_[placed[parent]++] = graph.scripts_[i].id;
    }
  }
  return graph;
}

std::size_t RevisionGraph::position(const Script& script) const {
  return static_cast<std::size_t>(&script - scripts_.data());
}

const Script* RevisionGraph::find(std::string_view id) const {
  if (slots_.empty()) return nullptr;
  for (std::size_t slot = std::hash<std::string_view>()(id);; ++slot) {
    const std::size_t entry = slots_[slot & (slots_.size() - 1)];
    if (entry == 0) return nullptr;
    if (scripts_[entry - 1].id == id) return &scripts_[entry - 1];
  }
}

const Script* RevisionGraph::find(std::string_view id, const Script* guess) const {
  return guess != nullptr && guess->id == id ? guess : find(id);
}

const Script* RevisionGraph::next(const Script* script) const {
  return script != nullptr && script + 1 != scripts_.data() + scripts_.size() ? script + 1 : nullptr;
}

std::vector<std::string> RevisionGraph::heads() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scripts_.size(); ++i)
    if (child_start_[i] == child_start_[i + 1]) out.push_back(scripts_[i].id);
  return out;
}

std::vector<std::string> RevisionGraph::bases() const {
  std::vector<std::string> out;
  for (const auto& script : scripts_)
    if (script.parents.empty()) out.push_back(script.id);
  return out;
}

std::span<const std::string> RevisionGraph::children(std::string_view id) const {
  const Script* script = find(id);
  if (script == nullptr) return {};
  const std::size_t i = position(*script);
  return std::span(children_).subspan(child_start_[i], child_start_[i + 1] - child_start_[i]);
}

std::vector<bool> RevisionGraph::membership(const std::set<std::string>& ids) const {
  std::vector<bool> in(scripts_.size());
  const Script* guess = first();
  for (const auto& id : ids)
    if (const Script* script = find(id, guess)) {
      in[position(*script)] = true;
      guess = next(script);
    }
  return in;
}

std::set<std::string> RevisionGraph::ancestors_inclusive(std::string_view id) const {
  std::set<std::string> seen;
  if (!find(id)) return seen;
  std::vector<std::string_view> pending{id};
  seen.emplace(id);
  while (!pending.empty()) {
    const Script* script = find(pending.back());
    pending.pop_back();
    for (const auto& parent : script->parents)
      if (seen.insert(parent).second) pending.push_back(parent);
  }
  return seen;
}

std::vector<Diagnostic> RevisionGraph::single_head_diagnostics() const {
  const auto all = heads();
  if (all.size() <= 1) return {};
  // One diagnostic is enough: the fix (one merge revision) is the same for all.
  return {located(find(all.back())->path, 0,
                  fmt::format("multiple heads: {}; run 'retort merge -m \"...\"' to join them",
                              join_capped(all)))};
}

// A full id wins outright. Otherwise the candidates are the ids that start
// with `text`, plus, when `text` has no leading zero, the id equal to it as a
// number ("7" for "0007"); exactly one candidate is the answer. Text with a
// leading zero is the padded form being typed ("012" for 0120), so it is only
// a prefix. Counting the numeric match as a candidate (rather than preferring
// it or the prefix) means "3" never silently picks 30 when 0003 exists too.
std::string RevisionGraph::resolve_id(std::string_view text) const {
  if (find(text)) return std::string(text);
  std::vector<std::string> candidates;
  if (!text.empty()) {
    for (const auto& script : scripts_)
      if (script.id.starts_with(text)) candidates.push_back(script.id);
    const Script* number = text.starts_with('0') ? nullptr : same_number(scripts_, text);
    if (number && !number->id.starts_with(text)) candidates.push_back(number->id);
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty())
    fail(ExitCode::usage, fmt::format("unknown revision '{}'", text),
         {"run 'retort history' to list the revisions"});
  std::ranges::sort(candidates, id_less);
  fail(ExitCode::usage,
       fmt::format("ambiguous revision prefix '{}' matches {}", text, join_capped(candidates)),
       {"give more digits of the id"});
}

}  // namespace retort
