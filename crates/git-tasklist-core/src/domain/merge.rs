//! Three-way merge of TaskLists (pure): what sync does with a list that two
//! clones changed, against their merge base.
//!
//! Per list field and per task field: a value only one side changed is
//! taken; a value both sides changed differently is a conflict, decided the
//! same way whichever side is "ours" — the side whose task (or list) was
//! updated later wins, ties go to the higher status rank, then to the
//! larger value — and named in the result. A completed task does not go
//! back through a merge unless the side that moved it reopened it
//! explicitly. Tasks added on either side are kept after the task they
//! follow on their own side; a task removed on one side is kept if the other
//! side changed it. Without a merge base (a list rewritten and pushed by
//! force) the merge is two-way and loses nothing either side holds.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use crate::domain::model::{Extra, Status, Task, TaskId, TaskList};

/// Tasks each side reopened explicitly since the merge base (from the
/// `Reopened:` trailers of its commits).
#[derive(Debug, Clone, Default)]
pub struct Reopened {
    /// Reopened on our side.
    pub ours: HashSet<String>,
    /// Reopened on their side.
    pub theirs: HashSet<String>,
}

/// A field both sides changed, and how it was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The task, or `None` for a field of the list.
    pub task: Option<String>,
    /// The field (`status`, `title`, `note`, `owner`, `depends_on`, …).
    pub field: &'static str,
    /// Why the winner won, in a few words.
    pub rule: &'static str,
}

/// The merged state and every conflict it resolved.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged list.
    pub list: TaskList,
    /// The conflicts, in task order then field order.
    pub conflicts: Vec<Conflict>,
}

/// How far along a status is: progress wins a tie.
fn rank(s: Status) -> u8 {
    match s {
        Status::Pending => 0,
        Status::InProgress => 1,
        Status::Blocked => 2,
        Status::Cancelled => 3,
        Status::Completed => 4,
    }
}

/// Which side a both-changed field goes to: the later `updated`, then the
/// higher status rank, then the larger value (`Greater` = ours).
fn side_order(o: &Task, t: &Task) -> Ordering {
    o.updated.cmp(&t.updated).then(rank(o.status).cmp(&rank(t.status)))
}

/// A three-way pick of one field. `order` decides a conflict before the
/// values are compared.
fn pick<T: PartialEq + Ord + Clone>(
    base: Option<&T>,
    ours: &T,
    theirs: &T,
    order: Ordering,
) -> (T, bool) {
    if ours == theirs {
        return (ours.clone(), false);
    }
    match base {
        Some(b) if b == ours => (theirs.clone(), false),
        Some(b) if b == theirs => (ours.clone(), false),
        _ => {
            let ours_win = order.then_with(|| ours.cmp(theirs)) == Ordering::Greater;
            (if ours_win { ours.clone() } else { theirs.clone() }, true)
        }
    }
}

/// Extra keys compared as text (TOML values have no order of their own).
fn extra_key(e: &Extra) -> String {
    format!("{:?}", e.0)
}

/// Merges `ours` and `theirs` against `base` (`None`: no common ancestor).
pub fn merge(
    base: Option<&TaskList>,
    ours: &TaskList,
    theirs: &TaskList,
    reopened: &Reopened,
) -> Merged {
    let mut conflicts = Vec::new();
    let list_order = ours.updated.cmp(&theirs.updated);
    let mut field = |task: Option<&str>, name: &'static str, conflict: bool, rule| {
        if conflict {
            conflicts.push(Conflict { task: task.map(String::from), field: name, rule });
        }
    };
    const LATER: &str = "the later change wins";

    // List fields.
    let (title, c) = pick(base.map(|b| &b.title), &ours.title, &theirs.title, list_order);
    field(None, "title", c, LATER);
    let (template, c) =
        pick(base.map(|b| &b.template), &ours.template, &theirs.template, list_order);
    field(None, "template", c, LATER);
    let (from, c) = pick(base.map(|b| &b.from), &ours.from, &theirs.from, list_order);
    field(None, "from", c, LATER);
    let (sequential, c) =
        pick(base.map(|b| &b.sequential), &ours.sequential, &theirs.sequential, list_order);
    field(None, "sequential", c, LATER);
    let (archived, c) =
        pick(base.map(|b| &b.archived), &ours.archived, &theirs.archived, list_order);
    field(None, "archived", c, LATER);
    let (branch, c) = pick(base.map(|b| &b.branch), &ours.branch, &theirs.branch, list_order);
    field(None, "branch", c, LATER);
    // Every continuation either side recorded: a list is never un-continued.
    let mut continued_in = ours.continued_in.clone();
    for c in &theirs.continued_in {
        if !continued_in.contains(c) {
            continued_in.push(c.clone());
        }
    }
    let extra_base = base.map(|b| extra_key(&b.extra));
    let (extra_pick, c) =
        pick(extra_base.as_ref(), &extra_key(&ours.extra), &extra_key(&theirs.extra), list_order);
    field(None, "extra", c, LATER);
    let extra = if extra_pick == extra_key(&ours.extra) { &ours.extra } else { &theirs.extra };
    // The handoff: the later note wins.
    let handoff = match (&ours.handoff, &theirs.handoff) {
        (a, b) if a == b => a.clone(),
        (Some(a), Some(b)) => {
            let base_h = base.and_then(|b| b.handoff.as_ref());
            if base_h == Some(a) {
                Some(b.clone())
            } else if base_h == Some(b) {
                Some(a.clone())
            } else {
                field(None, "handoff", true, "the later handoff wins");
                let key = |h: &crate::domain::model::Handoff| {
                    (
                        h.at,
                        h.note.clone(),
                        h.session.clone(),
                        h.base.clone(),
                        h.unverified.clone(),
                        extra_key(&h.extra),
                    )
                };
                let a_wins = key(a).cmp(&key(b)) == Ordering::Greater;
                Some(if a_wins { a.clone() } else { b.clone() })
            }
        }
        (Some(a), None) | (None, Some(a)) => Some(a.clone()),
        (None, None) => None,
    };

    // Tasks.
    let index = |l: &TaskList| -> HashMap<String, usize> {
        l.tasks.iter().enumerate().map(|(i, t)| (t.id.to_string(), i)).collect()
    };
    let (bi, oi, ti) = (base.map(index).unwrap_or_default(), index(ours), index(theirs));
    fn get<'a>(l: Option<&'a TaskList>, ix: &HashMap<String, usize>, id: &str) -> Option<&'a Task> {
        l.and_then(|l| ix.get(id).map(|&i| &l.tasks[i]))
    }
    let mut kept: HashMap<String, Task> = HashMap::new();
    let mut all: Vec<&str> =
        ours.tasks.iter().chain(&theirs.tasks).map(|t| t.id.as_str()).collect();
    all.sort_unstable();
    all.dedup();
    for id in all {
        let b = get(base, &bi, id);
        let (o, t) = (get(Some(ours), &oi, id), get(Some(theirs), &ti, id));
        let task = match (o, t) {
            (Some(o), Some(t)) => merge_task(b, o, t, reopened, &mut conflicts),
            // Removed on the other side: kept only if this side changed it.
            (Some(one), None) | (None, Some(one)) => match b {
                Some(b) if b == one => continue,
                _ => one.clone(),
            },
            (None, None) => continue,
        };
        kept.insert(id.to_string(), task);
    }

    let tasks = order(base, ours, theirs, kept);
    let mut list = TaskList {
        id: ours.id.clone(),
        title,
        created: ours.created.min(theirs.created),
        updated: ours.updated.max(theirs.updated),
        template,
        from,
        sequential,
        archived,
        branch,
        continued_in,
        handoff,
        tasks,
        extra: extra.clone(),
    };
    repair_dependencies(&mut list, base, &mut conflicts);
    Merged { list, conflicts }
}

/// Merges one task present on both sides.
fn merge_task(
    b: Option<&Task>,
    o: &Task,
    t: &Task,
    reopened: &Reopened,
    conflicts: &mut Vec<Conflict>,
) -> Task {
    let id = o.id.as_str();
    let order = side_order(o, t);
    let mut note = |name: &'static str, c: bool, rule: &'static str| {
        if c {
            conflicts.push(Conflict { task: Some(id.to_string()), field: name, rule });
        }
    };
    const LATER: &str = "the later change wins";
    // The reopen guard across clones: a side that took the task out of
    // `completed` without an explicit reopen does not win against a side
    // where it is completed.
    let was_completed = b
        .map_or(o.status == Status::Completed || t.status == Status::Completed, |b| {
            b.status == Status::Completed
        });
    let o_reset = was_completed && o.status != Status::Completed && !reopened.ours.contains(id);
    let t_reset = was_completed && t.status != Status::Completed && !reopened.theirs.contains(id);
    let (status, owner, status_conflict) = if o_reset && t.status == Status::Completed {
        (t.status, t.owner.clone(), true)
    } else if t_reset && o.status == Status::Completed {
        (o.status, o.owner.clone(), true)
    } else {
        let (status, c) = pick(b.map(|b| &b.status), &o.status, &t.status, order);
        // The owner goes with the status it came with when the status was
        // decided; otherwise it is a field of its own.
        let owner = if status != o.status {
            t.owner.clone()
        } else if status != t.status {
            o.owner.clone()
        } else {
            let (owner, c) = pick(b.map(|b| &b.owner), &o.owner, &t.owner, order);
            note("owner", c, LATER);
            owner
        };
        (status, owner, c)
    };
    let guarded =
        (o_reset && t.status == Status::Completed) || (t_reset && o.status == Status::Completed);
    note(
        "status",
        status_conflict,
        if guarded { "completed stays completed without an explicit reopen" } else { LATER },
    );
    let (title, c) = pick(b.map(|b| &b.title), &o.title, &t.title, order);
    note("title", c, LATER);
    let (task_note, c) = pick(b.map(|b| &b.note), &o.note, &t.note, order);
    note("note", c, LATER);
    let (depends_on, c) = pick(b.map(|b| &b.depends_on), &o.depends_on, &t.depends_on, order);
    note("depends_on", c, LATER);
    let base_extra = b.map(|b| extra_key(&b.extra));
    let (extra_pick, c) =
        pick(base_extra.as_ref(), &extra_key(&o.extra), &extra_key(&t.extra), order);
    note("extra", c, LATER);
    let extra = if extra_pick == extra_key(&o.extra) { o.extra.clone() } else { t.extra.clone() };
    Task {
        id: o.id.clone(),
        title,
        status,
        updated: o.updated.max(t.updated),
        owner,
        depends_on,
        note: task_note,
        extra,
    }
}

/// The merged plan order: the tasks of the base in their order, each task
/// added on a side right after the task it follows there; tasks added after
/// the same task on both sides interleave by their place on their side,
/// then by id — the same order whichever side is ours.
fn order(
    base: Option<&TaskList>,
    ours: &TaskList,
    theirs: &TaskList,
    mut kept: HashMap<String, Task>,
) -> Vec<Task> {
    let in_base: HashSet<&str> =
        base.map(|b| b.tasks.iter().map(|t| t.id.as_str()).collect()).unwrap_or_default();
    // anchor (a base task id, or "" for the start) → (place after it, id).
    let mut added: HashMap<String, Vec<(usize, String)>> = HashMap::new();
    for side in [ours, theirs] {
        let mut anchor = String::new();
        let mut k = 0;
        for t in &side.tasks {
            let id = t.id.as_str();
            if in_base.contains(id) {
                anchor = id.to_string();
                k = 0;
                continue;
            }
            let group = added.entry(anchor.clone()).or_default();
            match group.iter_mut().find(|(_, g)| g == id) {
                Some(entry) => entry.0 = entry.0.min(k),
                None => group.push((k, id.to_string())),
            }
            k += 1;
        }
    }
    for group in added.values_mut() {
        group.sort();
    }
    let mut out = Vec::with_capacity(kept.len());
    let emit = |anchor: &str, out: &mut Vec<Task>, kept: &mut HashMap<String, Task>| {
        if let Some(group) = added.get(anchor) {
            for (_, id) in group {
                if let Some(t) = kept.remove(id) {
                    out.push(t);
                }
            }
        }
    };
    emit("", &mut out, &mut kept);
    for b in base.map(|b| b.tasks.as_slice()).unwrap_or_default() {
        let id = b.id.as_str();
        if let Some(t) = kept.remove(id) {
            out.push(t);
        }
        emit(id, &mut out, &mut kept);
    }
    // Anything left (an anchor that itself was removed) keeps id order.
    let mut rest: Vec<Task> = kept.into_values().collect();
    rest.sort_by(|a, b| a.id.cmp(&b.id));
    out.extend(rest);
    out
}

/// Keeps the merged list valid: a dependency on a task that is gone is
/// dropped; dependencies that together form a cycle (each side added half)
/// fall back to the base's, then to none.
fn repair_dependencies(
    list: &mut TaskList,
    base: Option<&TaskList>,
    conflicts: &mut Vec<Conflict>,
) {
    let ids: HashSet<TaskId> = list.tasks.iter().map(|t| t.id.clone()).collect();
    for t in &mut list.tasks {
        let before = t.depends_on.len();
        t.depends_on.retain(|d| ids.contains(d));
        if t.depends_on.len() != before {
            conflicts.push(Conflict {
                task: Some(t.id.to_string()),
                field: "depends_on",
                rule: "a dependency on a removed task is dropped",
            });
        }
    }
    if crate::domain::model::check_dependencies(&list.tasks).is_ok() {
        return;
    }
    let base_deps: HashMap<&str, &Vec<TaskId>> = base
        .map(|b| b.tasks.iter().map(|t| (t.id.as_str(), &t.depends_on)).collect())
        .unwrap_or_default();
    for t in &mut list.tasks {
        let fallback: Vec<TaskId> = base_deps
            .get(t.id.as_str())
            .map(|d| d.iter().filter(|x| ids.contains(*x)).cloned().collect())
            .unwrap_or_default();
        if t.depends_on != fallback {
            t.depends_on = fallback;
            conflicts.push(Conflict {
                task: Some(t.id.to_string()),
                field: "depends_on",
                rule: "dependencies that formed a cycle fall back to the merge base's",
            });
        }
    }
    if crate::domain::model::check_dependencies(&list.tasks).is_err() {
        for t in &mut list.tasks {
            t.depends_on.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::domain::op::{self, Ctx, NewTask, Op, TaskChange};
    use chrono::{Duration, TimeZone, Utc};
    use proptest::prelude::*;

    fn tid(s: &str) -> TaskId {
        TaskId::parse(s).unwrap()
    }

    fn t0() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
    }

    fn base_list(n: usize, done: &[bool]) -> TaskList {
        let tasks = (0..n)
            .map(|i| NewTask {
                id: tid(&format!("t{i}")),
                title: format!("Task {i}"),
                depends_on: vec![],
                note: None,
            })
            .collect();
        let op = Op::Create {
            id: "0193f5a2-7c1e-7b3a-9d1e-5f2a3b4c5d6e".into(),
            title: "Plan".into(),
            tasks,
            template: None,
            from: None,
            sequential: false,
            branch: None,
        };
        let ctx = Ctx { session: None, now: t0(), tip: None };
        let mut l = op::apply(None, &op, &ctx).unwrap().list;
        for (t, d) in l.tasks.iter_mut().zip(done) {
            if *d {
                t.status = Status::Completed;
            }
        }
        l
    }

    /// One side's edit, as a session would make it.
    #[derive(Debug, Clone)]
    enum Edit {
        Status(usize, u8, u8),
        Note(usize, u8),
        Add(u8, usize),
        Remove(usize),
        Archive(bool),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0..8usize, 0..5u8, 0..3u8).prop_map(|(i, s, who)| Edit::Status(i, s, who)),
            (0..8usize, 0..4u8).prop_map(|(i, n)| Edit::Note(i, n)),
            (0..4u8, 0..8usize).prop_map(|(n, after)| Edit::Add(n, after)),
            (0..8usize).prop_map(Edit::Remove),
            any::<bool>().prop_map(Edit::Archive),
        ]
    }

    /// Applies `edits` through `op::apply` (so the reopen guard holds, and
    /// a reopen is recorded) at times `start + k` seconds.
    fn side(base: &TaskList, edits: &[Edit], start: i64) -> (TaskList, HashSet<String>) {
        let mut l = base.clone();
        let mut reopened = HashSet::new();
        for (k, e) in edits.iter().enumerate() {
            let now = t0() + Duration::seconds(start + k as i64);
            let who = |w: u8| ["s1", "s2", "s3"].get(usize::from(w)).map(|s| s.to_string());
            let ctx = |w: u8| Ctx { session: who(w), now, tip: None };
            let pick = |i: usize, l: &TaskList| {
                l.tasks.get(i % l.tasks.len().max(1)).map(|t| t.id.clone())
            };
            match e {
                Edit::Status(i, s, w) => {
                    let Some(task) = pick(*i, &l) else { continue };
                    let status = Status::ALL[usize::from(*s)];
                    let reopen =
                        l.task(task.as_str()).is_some_and(|t| t.status == Status::Completed);
                    let change = TaskChange {
                        status: Some(status),
                        reopen,
                        take_over: true,
                        out_of_order: true,
                        ..Default::default()
                    };
                    if let Ok(a) =
                        op::apply(Some(&l), &Op::Update { task: task.clone(), change }, &ctx(*w))
                    {
                        if a.name.as_str() == "reopen" {
                            reopened.insert(task.to_string());
                        }
                        l = a.list;
                    }
                }
                Edit::Note(i, n) => {
                    let Some(task) = pick(*i, &l) else { continue };
                    let change = TaskChange {
                        note: Some(format!("n{n}")),
                        take_over: true,
                        ..Default::default()
                    };
                    if let Ok(a) = op::apply(Some(&l), &Op::Update { task, change }, &ctx(0)) {
                        l = a.list;
                    }
                }
                Edit::Add(n, after) => {
                    let after = pick(*after, &l);
                    let task = NewTask {
                        id: tid(&format!("new{n}")),
                        title: format!("New {n}"),
                        depends_on: vec![],
                        note: None,
                    };
                    if let Ok(a) = op::apply(Some(&l), &Op::AddTask { task, after }, &ctx(0)) {
                        l = a.list;
                    }
                }
                Edit::Remove(i) => {
                    // A hand edit or a teammate's push: a task gone, and with it
                    // any dependency on it.
                    if let Some(task) = pick(*i, &l) {
                        l.tasks.retain(|t| t.id != task);
                        for t in &mut l.tasks {
                            t.depends_on.retain(|d| *d != task);
                        }
                        l.updated = now;
                    }
                }
                Edit::Archive(a) => {
                    if let Ok(x) = op::apply(Some(&l), &Op::Archive { archived: *a }, &ctx(0)) {
                        l = x.list;
                    }
                }
            }
        }
        (l, reopened)
    }

    fn both(x: (&HashSet<String>, &HashSet<String>)) -> (Reopened, Reopened) {
        let r = Reopened { ours: x.0.clone(), theirs: x.1.clone() };
        let swapped = Reopened { ours: x.1.clone(), theirs: x.0.clone() };
        (r, swapped)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn merge_is_commutative_idempotent_and_loses_nothing(
            n in 1..6usize,
            done in proptest::collection::vec(any::<bool>(), 6),
            a_edits in proptest::collection::vec(edit(), 0..8),
            b_edits in proptest::collection::vec(edit(), 0..8),
            a_start in 1..20i64,
            b_start in 1..20i64,
        ) {
            let base = base_list(n, &done);
            let (a, ra) = side(&base, &a_edits, a_start);
            let (b, rb) = side(&base, &b_edits, b_start);
            let (r, swapped) = both((&ra, &rb));
            let ab = merge(Some(&base), &a, &b, &r);
            let ba = merge(Some(&base), &b, &a, &swapped);
            prop_assert_eq!(&ab.list, &ba.list, "commutative");
            prop_assert!(crate::domain::model::check_dependencies(&ab.list.tasks).is_ok());
            // Idempotent, and the base against one side is that side.
            let same = Reopened { ours: ra.clone(), theirs: ra.clone() };
            prop_assert_eq!(&merge(Some(&base), &a, &a, &same).list, &a);
            let only_b = Reopened { ours: HashSet::new(), theirs: rb.clone() };
            prop_assert_eq!(&merge(Some(&base), &base, &b, &only_b).list, &b);
            // Nothing present on one side and not removed on the other is lost.
            for (x, y) in [(&a, &b), (&b, &a)] {
                for t in &x.tasks {
                    let in_base = base.task(t.id.as_str());
                    let removed_there = y.task(t.id.as_str()).is_none() && in_base == Some(t);
                    if !removed_there {
                        prop_assert!(ab.list.task(t.id.as_str()).is_some(), "lost {}", t.id);
                    }
                }
            }
            // No completed task goes back without an explicit reopen on a side.
            for t in base.tasks.iter().filter(|t| t.status == Status::Completed) {
                let id = t.id.as_str();
                if let Some(m) = ab.list.task(id)
                    && m.status != Status::Completed {
                        prop_assert!(ra.contains(id) || rb.contains(id), "{} un-completed", id);
                    }
            }
            // Two-way (no base): still the same either way, and nothing lost.
            let two = merge(None, &a, &b, &r);
            prop_assert_eq!(&two.list, &merge(None, &b, &a, &swapped).list);
            for t in a.tasks.iter().chain(&b.tasks) {
                prop_assert!(two.list.task(t.id.as_str()).is_some());
            }
        }
    }

    #[test]
    fn both_sides_changing_one_field_is_a_named_conflict() {
        let base = base_list(2, &[false, false]);
        let (a, _) = side(&base, &[Edit::Note(0, 1)], 5);
        let (b, _) = side(&base, &[Edit::Note(0, 2), Edit::Status(1, 2, 0)], 9);
        let m = merge(Some(&base), &a, &b, &Reopened::default());
        assert_eq!(m.list.tasks[0].note.as_deref(), Some("n2"), "the later note wins");
        assert_eq!(m.list.tasks[1].status, Status::Completed, "one side changed it");
        assert_eq!(
            m.conflicts,
            vec![Conflict {
                task: Some("t0".into()),
                field: "note",
                rule: "the later change wins"
            }]
        );
    }

    #[test]
    fn a_completed_task_is_not_reset_by_an_earlier_or_later_unreopened_side() {
        let base = base_list(1, &[true]);
        let mut reset = base.clone();
        reset.tasks[0].status = Status::Pending;
        reset.tasks[0].updated = t0() + Duration::seconds(100);
        let (noted, _) = side(&base, &[Edit::Note(0, 1)], 1);
        let m = merge(Some(&base), &reset, &noted, &Reopened::default());
        assert_eq!(m.list.tasks[0].status, Status::Completed);
        // With an explicit reopen on that side, the reopen is honoured.
        let r = Reopened { ours: ["t0".to_string()].into(), theirs: HashSet::new() };
        let m = merge(Some(&base), &reset, &noted, &r);
        assert_eq!(m.list.tasks[0].status, Status::Pending);
    }
}
