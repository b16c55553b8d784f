/**
 * The tactics the screen lets a model candidate use, and the names it may never mention. Model output is untrusted:
 * a deny-list of dangerous tactics loses to the first one it forgot (Mathlib has hundreds of tactics and grows), so
 * the screen admits only the tactics listed here and refuses everything else at a tactic position.
 *
 * The list was derived from data: the first word of every tactic in Mathlib's tactic proofs (the training examples,
 * test/fixtures/tactics/), less the tactics that run code, reach the network or the file system, or only make sense
 * in Mathlib's own test files, plus Lean core's tactics that a prover model writes. Leaving a real tactic out costs a
 * suggestion; putting a dangerous one in costs the user's machine, so a tactic joins the list only with a reason.
 * Deliberately absent: `run_tac`, `run_elab` and the like (they run a metaprogram), `polyrith` (calls a web service),
 * `slim_check`/`plausible` (compile and run the goal's instances), `bv_decide` (runs a SAT solver binary),
 * `sleep_heartbeats` (only burns time), `with_panel_widgets` (widget code), `set_option` (can switch the kernel check
 * off), `sorry`/`admit`/`stop`, and `native_decide`, which `screenTactic` admits only when the user allows it.
 */

/**
 * How a tactic's syntax continues, which is what the screen needs to know where the next tactic starts:
 * - `plain`: arguments (terms, lemma lists, locations); a tactic can start again only after `by`, `;`, `<;>` or a line.
 * - `seq`: a tactic sequence follows at once (`try simp; ring`, `all_goals` on the next lines).
 * - `seqAfterNumber`: an optional number, then a sequence (`iterate 3 simp`).
 * - `seqAfterString`: a string, then a sequence (`success_if_fail_with_msg "m" tac`).
 * - `arrow`: arguments up to `=>`, then a sequence (`case inl h => …`, `conv_lhs => …`, `on_goal 2 => …`).
 * - `alternatives`: `| tac` alternatives (`first | simp | ring`).
 * - `withAlternatives`: arguments, then `with` and `| pattern => tac` alternatives (`induction n with | zero => …`).
 * - `openIn`: `open Names in tac`, the only form of `open` a tactic may have.
 * - `if`: `if h : c then tac else tac`.
 */
export type TacticShape =
  | 'plain'
  | 'seq'
  | 'seqAfterNumber'
  | 'seqAfterString'
  | 'arrow'
  | 'alternatives'
  | 'withAlternatives'
  | 'openIn'
  | 'if';

/** The tactics whose arguments are terms, lemma lists and locations, by what they are for. */
const plain: readonly string[] = [
  // Closing and deciding.
  'rfl eq_refl ac_rfl trivial decide simp_arith omega linarith linarith! nlinarith nlinarith! ' +
    'positivity norm_num norm_num1 ring ring1 ring! ring_nf ring_nf! ring1_nf abel abel! abel1 abel1! ' +
    'abel_nf group noncomm_ring module field_simp cancel_denoms linear_combination linear_combination2 ' +
    'tauto itauto cc aesop aesop? aesop_cat continuity measurability fun_prop mfld_set_tac bound gcongr ' +
    "gcongr? rel mono assumption assumption' assumption_mod_cast contradiction exfalso infer_instance " +
    'subsingleton exact_mod_cast apply_mod_cast rw_mod_cast norm_cast push_cast zify qify rify lift ' +
    'compute_degree compute_degree! monicity monicity! reduce_mod_char interval_cases fin_cases mod_cases ' +
    'nofun nomatch grind bv_omega simp_wf coherence pure_coherence bicategory_coherence tfae_have ' +
    'tfae_finish pi_lower_bound pi_upper_bound',
  // Rewriting and simplifying.
  'rw rwa erw rewrite nth_rw nth_rewrite simp_rw rw_search rw? simp simp? simp! simp?! simp_all ' +
    'simp_all? simp_all! dsimp dsimp? dsimp! simpa simpa? simpa! simp_intro unfold unfold_let ' +
    'unfold_projs delta change change? refold_let beta_reduce eta_reduce eta_expand eta_struct whnf ' +
    'reduce slice_lhs slice_rhs split split_ifs split_ands',
  // Goals and hypotheses.
  'exact exact? exacts apply apply? fapply eapply apply_rules apply_assumption apply_fun solve_by_elim ' +
    "refine refine' intro intros introv rintro obtain rcases rcases? cases' induction' have have? have?! " +
    'haveI let letI set set! show suffices rsuffices replace specialize generalize generalize_proofs ' +
    'clear clear! clear_value clear_ revert rename_i subst subst_vars substs injection injections use ' +
    'use! exists existsi constructor fconstructor econstructor left right constructorm casesm cases_type ' +
    "cases_type! and_intros by_cases by_contra by_contra! by_contra' push_neg contrapose contrapose! " +
    'choose choose! lift_lets extract_lets ext ext1 funext congr congr! congrm convert convert_to ' +
    'ac_change trans transitivity symm symm_saturate calc wlog peel filter_upwards nontriviality inhabit ' +
    'borelize observe observe? hint absurd infer_param rcongr swap_var move_add move_mul move_oper ' +
    'unit_interval isBoundedDefault',
  // Goal management and tests of goals.
  'done skip swap rotate_left rotate_right pick_goal guard_target guard_hyp guard_expr guard_goal_nums ' +
    'guard_hyp_nums extract_goal trace trace_state type_check',
  // Conv mode: these are tactics inside `conv => …`.
  'lhs rhs arg args enter pattern zeta apply_congr slice',
].flatMap((group) => group.split(' '));

const shapes: ReadonlyArray<readonly [TacticShape, string]> = [
  [
    'seq',
    "try repeat repeat' repeat1 all_goals any_goals focus classical with_reducible " +
      'with_reducible_and_instances with_unfolding_all fail_if_success fail_if_no_progress recover show_term',
  ],
  ['seqAfterNumber', 'iterate'],
  ['seqAfterString', 'success_if_fail_with_msg'],
  ['arrow', "case case' next on_goal conv conv_lhs conv_rhs tactic equals"],
  ['alternatives', 'first'],
  ['withAlternatives', 'induction cases match fun_induction fun_cases'],
  ['openIn', 'open'],
  ['if', 'if'],
];

/** Every allowed tactic with its shape. */
export const allowedTactics: ReadonlyMap<string, TacticShape> = new Map<string, TacticShape>([
  ...plain.map((name): [string, TacticShape] => [name, 'plain']),
  ...shapes.flatMap(([shape, names]) => names.split(' ').map((name): [string, TacticShape] => [name, shape])),
]);

/** Allowed only with `search.allowNativeDecide`: it trusts the compiler (the `Lean.ofReduceBool` axiom). */
export const nativeTactic = 'native_decide';

/**
 * Tactic options whose value is itself a tactic (`simp (disch := positivity)`, `linear_combination (norm := ring1)`).
 * Every other `(name := value)` option is a configuration, which Lean evaluates as a program, so its value must be
 * plain data (`screenConfiguration` in tacticConfiguration.ts).
 */
export const tacticOptions: ReadonlySet<string> = new Set(['disch', 'discharger', 'norm']);

/**
 * Name components that reach Lean's metaprogramming or the operating system. A term cannot run code while Lean
 * elaborates it unless an evaluator runs it (`eval%`, a tactic's configuration, `native_decide`), and the screen
 * refuses those too; refusing the names as well means that a way of evaluating the screen forgot still finds nothing
 * to run. They are matched as whole components anywhere in a name, because the user's file may `open Lean` or
 * `open IO`, after which `Elab.runFrontend` or `Process.run` resolve without the prefix. Short names Mathlib uses for
 * hypotheses (`ST`, `IR`, `FS`) are left out; their namespaces are only reachable through `IO` or `Lean` anyway.
 */
export const forbiddenComponents: ReadonlySet<string> = new Set(
  (
    'IO EIO BaseIO System Process RealWorld Elab Meta Tactic Compiler Environment CoreM MetaM TermElabM TacticM ' +
    'CommandElabM Syntax evalExpr evalConst evalDecl runFrontend addAndCompile compileDecl toIO toBaseIO toEIO'
  ).split(' '),
);

/**
 * The namespace of Lean's own implementation: elaborator, compiler, environment, syntax. Mathlib's mathematics never
 * needs it in a proof; the only constants of it a tactic proof mentions are the compiler axioms, allowed with
 * `native_decide`.
 */
export const leanNamespace = 'Lean';

/**
 * Parts of names that run code outside the proof, refused anywhere in a name component and in any case:
 * `unsafeBaseIO`, `unsafeIO`, `ptrAddrUnsafe`, `dbgTrace`, `dbg_trace`.
 */
export const forbiddenFragments: readonly string[] = ['unsafe', 'dbg'];

/**
 * Term elaborators spelled `name%` that may appear: each elaborates a proof term and evaluates nothing. Every other
 * `name%` is refused: Mathlib's `eval%` evaluates its argument, and new ones appear with every release.
 */
export const allowedPercentElaborators: ReadonlySet<string> = new Set(['reassoc_of', 'elementwise_of']);
