// systole_rv32: a small in-order RV32IM core (RV32I: HasM = 0), machine mode only (docs/soc.md).
//
// Multi-cycle, one instruction at a time:
//   FETCH  request the word at pc on the native bus. In every cycle of FETCH the bus word
//          is latched with its decode (operand selects, immediate) and rs1/rs2 are read from
//          the register file (synchronous reads, block RAM): the cycle the word arrives
//          leaves the right values. Before the request goes out a pending counter increment
//          (CNT1, CNT2) or an interrupt is taken.
//   EXEC   ALU, branch/jump, CSR, system instructions and their traps; the result is written
//          to rd the next cycle (all register-file writes are registered); moves on to MEM
//          (loads, stores), MULDIV (divides; multiplies when !FastMul; shifts when
//          FastShift != 1), WFI, BRT, MRET or CSRR, else FETCH. A branch compares rs1 - rs2
//          in the ALU's adder.
//   MEM    one data request on the native bus; a load's word is written (aligned) to rd the
//          next cycle.
//   MULDIV wait for systole_rv32_muldiv.
//   WFI    wait until (mip & mie) != 0.
//   BRT    a taken branch: pc = pc + imm (the same adder); a misaligned target traps.
//   MRET   pc = mepc (read in EXEC).
//   CSRR   a CSR kept in the register file (read in EXEC): rd = its old value; a counter's
//          low half written by the instruction: the write.
//   CSRW   the register file's CSR is written.
//   TRAP1, TRAP2  trap entry: mcause, mstatus and mtval, then mepc, and pc = mtvec.
//   CNT1, CNT2    a counter's high half + 1 (see the counters).
// mscratch, mepc, mtval, mtvec and the counters' high halves mcycleh and minstreth live in
// the register file's block RAM (entries 32-47), not in flip-flops. An illegal instruction,
// and a jalr, load or store with a misaligned address (the address's low bits come from
// the register file's read, late), is found in EXEC but trapped in the cycle after (ill_q,
// mis_q), which does nothing else.
//
// CPI with a memory that answers reads one cycle after the request and writes in the same
// cycle (the SoC RAM): 3 for ALU, LUI/AUIPC, branches not taken, jumps, CSR reads of CSRs in
// flip-flops (mstatus, mie, mip, mcause, misa, IDs, mcycle, minstret, time and timeh) and
// single-cycle multiplies (FastMul = 1); 4 for taken branches, mret, CSR instructions on
// mscratch, mepc, mtval, mtvec, mcycleh, minstreth (5 when they write it) and writes of
// mcycle, minstret;
// 5 for loads, 4 for stores; 36 for divides and iterative multiplies (one or two more for
// signed div/rem with a negative dividend or result); shifts by n: 4 + n with FastShift = 0,
// 4 + n / 4 + n % 4 with FastShift = 2.
// With LtLate = 1 a blt/bge/bltu/bgeu not taken takes 4 too, with EqLate = 1 a beq/bne.
// A trap costs the trapping instruction's cycles plus 2 (an illegal instruction or a
// misaligned jalr, load or store 3) before
// the handler's fetch, an interrupt 3 cycles at an instruction boundary; the counters'
// high halves cost 2 cycles per 2^32 cycles or instructions.
//
// Traps: mepc = the instruction's pc (interrupts: the next instruction's), mtval = the
// faulting address (misaligned jump target, data address, fetch address), the instruction
// for illegal instructions, pc for ebreak, 0 otherwise. A trapping instruction does not
// retire and writes no register.
//
// Timing (the iCE40 board runs the core at 30 MHz and more): EXEC starts its adders from
// flip-flops and block-RAM outputs; the bus's late ready and read data (through the SoC's
// address decode) pass one or two LUT levels; the logic behind carry chains is in small
// kept modules (systole_rv32_ao and its siblings below) so that the LUT mapper, which does
// not see carry-chain delays, cannot build it deep.
module systole_rv32 #(
  parameter logic [31:0] BootAddr  = 32'h0000_0000,  // reset pc and reset mtvec
  parameter int          FastMul   = 1,              // 1: single-cycle multiply; 0: iterative
  // shifts: 1 a barrel shifter; in the iterative unit: 0 one bit per cycle, 2 four bits
  parameter int          FastShift = (FastMul != 0) ? 1 : 2,
  // 1: the time/timeh CSRs read time_i; 0: they are illegal like any unknown CSR (firmware
  // reads the timer's MTIME over the bus instead), which saves the 64-bit read mux
  parameter int          TimeCsr   = 1,
  // 1: RV32IM; 0: RV32I, the M instructions (OP, funct7 = 1) are illegal and there is no
  // multiplier or divider (FastMul does not matter; shifts with FastShift 0 or 2 go through
  // the small systole_rv32_shift)
  parameter int          HasM      = 1,
  // 1: blt/bge/bltu/bgeu always go on to BRT, which decides from their comparison kept in a
  // flip-flop (EXEC's next state then does not wait for the ALU's carry chain): a not-taken
  // one takes one cycle more (the iCE40 board); 0: EXEC decides
  parameter int          LtLate    = 0,
  // 1: beq/bne go on to BRT as well (with LtLate = 1 every branch does: EXEC's next state
  // does not wait for the equality tree either): a not-taken one takes one cycle more (the
  // iCE40 board); 0: EXEC decides
  parameter int          EqLate    = 0,
  // 1: the illegal-instruction decode's wide parts (legal opcode/funct3, SYSTEM funct3 = 0
  // encodings, known CSR addresses) are decoded in EXEC from ir_q (they only reach ill_q), and
  // a register write's rd != 0 and CSR-in-register-file conditions are applied in EXEC, so
  // that the FETCH decode behind the late bus read data is shallower (the iCE40 board); 0: all
  // in FETCH. The same behaviour and cycles either way.
  parameter int          DecLate   = EqLate
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // native bus (docs/soc.md)
  output logic        mem_valid_o,
  output logic        mem_instr_o,
  output logic [31:0] mem_addr_o,
  output logic [3:0]  mem_wstrb_o,
  output logic [31:0] mem_wdata_o,
  input  logic        mem_ready_i,
  input  logic [31:0] mem_rdata_i,
  input  logic        mem_err_i,
  // level-sensitive interrupts: machine external (mip.MEIP) and timer (mip.MTIP)
  input  logic        irq_ext_i,
  input  logic        irq_timer_i,
  // the platform's MTIME, read through the time/timeh CSRs
  input  logic [63:0] time_i
);
  // ---------------------------------------------------------------------------------------
  // Constants
  // ---------------------------------------------------------------------------------------
  localparam logic [4:0] StBoot   = 5'd0;  // reset: x0, mcycleh, minstreth = 0
  localparam logic [4:0] StBoot2  = 5'd1;  //        mtvec = BootAddr
  localparam logic [4:0] StFetch  = 5'd2;
  localparam logic [4:0] StExec   = 5'd3;
  localparam logic [4:0] StMem    = 5'd4;
  localparam logic [4:0] StMulDiv = 5'd5;
  localparam logic [4:0] StWfi    = 5'd6;
  localparam logic [4:0] StCsrW   = 5'd7;
  localparam logic [4:0] StTrap1  = 5'd8;  // write mtval, read mtvec (port A)
  localparam logic [4:0] StTrap2  = 5'd9;  // write mepc, pc = mtvec
  localparam logic [4:0] StBrt    = 5'd10; // a taken branch: pc = pc + imm (the ALU adder)
                                           // (LtLate: every blt/bge/bltu/bgeu, EqLate:
                                           // every beq/bne; br_lt_q)
  localparam logic [4:0] StMret   = 5'd11; // mret: pc = mepc (read through port A in EXEC)
  localparam logic [4:0] StCsrR   = 5'd12; // a CSR kept in the register file (read in EXEC)
  localparam logic [4:0] StCnt1   = 5'd13; // a counter's high half + 1: read (port A)
  localparam logic [4:0] StCnt2   = 5'd14; //                            add, write
  localparam logic [4:0] StBoot3  = 5'd15; // reset: mcycleh = 0
  localparam logic [4:0] StBoot4  = 5'd16; // reset: minstreth = 0

  // opcode[6:2]
  localparam logic [4:0] OpLoad    = 5'b00000;
  localparam logic [4:0] OpMiscMem = 5'b00011;
  localparam logic [4:0] OpImm     = 5'b00100;
  localparam logic [4:0] OpAuipc   = 5'b00101;
  localparam logic [4:0] OpStore   = 5'b01000;
  localparam logic [4:0] OpOp      = 5'b01100;
  localparam logic [4:0] OpLui     = 5'b01101;
  localparam logic [4:0] OpBranch  = 5'b11000;
  localparam logic [4:0] OpJalr    = 5'b11001;
  localparam logic [4:0] OpJal     = 5'b11011;
  localparam logic [4:0] OpSystem  = 5'b11100;

  // exception codes (mcause[4:0])
  localparam logic [4:0] ExcInsnMisaligned  = 5'd0;
  localparam logic [4:0] ExcInsnFault       = 5'd1;
  localparam logic [4:0] ExcIllegal         = 5'd2;
  localparam logic [4:0] ExcBreakpoint      = 5'd3;
  localparam logic [4:0] ExcLoadMisaligned  = 5'd4;
  localparam logic [4:0] ExcLoadFault       = 5'd5;
  localparam logic [4:0] ExcStoreMisaligned = 5'd6;
  localparam logic [4:0] ExcStoreFault      = 5'd7;
  localparam logic [4:0] ExcEcallM          = 5'd11;
  localparam logic [4:0] IrqTimer           = 5'd7;
  localparam logic [4:0] IrqExt             = 5'd11;

  localparam logic [31:0] LuiX0     = 32'h0000_0037;  // lui x0, 0
  localparam logic [31:0] MisaValue = (HasM != 0) ? 32'h4000_1100   // MXL = 32, I, M
                                                  : 32'h4000_0100;  // MXL = 32, I

  // register-file entries of the CSRs kept in block RAM: 32 + 8 * csr[7] + csr[2:0]
  // (mscratch 0x340 is 32)
  localparam logic [5:0] RfMepc      = 6'd33;  // 0x341
  localparam logic [5:0] RfMtval     = 6'd35;  // 0x343
  localparam logic [5:0] RfMtvec     = 6'd37;  // 0x305
  localparam logic [5:0] RfMcycleh   = 6'd40;  // 0xB80 (cycleh 0xC80)
  localparam logic [5:0] RfMinstreth = 6'd42;  // 0xB82 (instreth 0xC82)

  // mtval sources, chosen when the trap is detected and written in TRAP1
  localparam logic [1:0] TvalZero = 2'd0;
  localparam logic [1:0] TvalIr   = 2'd1;
  localparam logic [1:0] TvalTgt  = 2'd2;  // target or data address (operands still held)
  localparam logic [1:0] TvalPc   = 2'd3;

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  (* fsm_encoding = "none" *) logic [4:0] state_q;
  logic [4:0]  state_d;
  logic [31:2] pc_q;
  logic [31:0] ir_q;                // the instruction being executed
  logic [31:2] addr_q;              // bus address: pc, or the data address in MEM
  logic        fetch_wait_q, fetch_wait_d;  // a fetch request is out: hold it
  logic        ill_q;               // the instruction in EXEC last cycle is illegal
  logic        mis_q;               // ... or (with ill_q) a misaligned jalr, load or store
  // the trap's mtval source, for TRAP1 (not re-encoded as an FSM: Yosys's one-hot version
  // added a LUT level to its next value)
  (* fsm_encoding = "none" *) logic [1:0] tval_sel_q;
  logic        cause_irq_q;         // the trap's mcause, for TRAP1
  logic [4:0]  cause_code_q;

  // CSRs in flip-flops
  logic        mstatus_mie_q, mstatus_mie_d;
  logic        mstatus_mpie_q, mstatus_mpie_d;
  logic [1:0]  mie_q, mie_d;        // {MEIE, MTIE}
  logic [1:0]  mip_q;               // {MEIP, MTIP}, the interrupt inputs registered
  logic        irq_go_q;            // mstatus.MIE && (mip & mie) != 0 (registered with them)
  logic        st_fetch_q, st_mem_q;  // state_q == StFetch, StMem (copies: the bus signals
                                      // start at one flip-flop, not a state decode)
  logic        st_ex_q;               // state_q == StExec (a copy: EXEC's many users)
  logic        mcause_irq_q, mcause_irq_d;
  logic [4:0]  mcause_code_q, mcause_code_d;
  logic [31:0] mcycle_lo_q, minstret_lo_q;  // the high halves are in the register file
  logic        cyc_pend_q, ret_pend_q;    // a low half wrapped: its high half is due + 1
  logic        cnt_ret_q;                 // CNT1/CNT2 increment minstreth (else mcycleh)
  logic        instret_inc_q;             // an instruction retired last cycle

  // ---------------------------------------------------------------------------------------
  // Decode in FETCH (from the bus word), registered with the instruction
  // ---------------------------------------------------------------------------------------
  typedef struct packed {
    logic        lui, auipc, jal, jalr, branch, load, store, opimm, op, system;
    logic        use_rs2;    // ALU operand b = rs2 (OP, branches), else the immediate
    logic        alu_sub;    // the ALU adder subtracts (sub, slt[i][u])
    logic        alu_uns;    // ... compares unsigned (sltu, sltiu, bltu, bgeu)
    logic        base_pc;    // ALU operand a = pc (jal, auipc: their targets)
    logic        base_zero;  // ... = 0 (lui); else rs1
    logic [31:0] imm;        // the immediate of whatever format the opcode uses
    // exact decodes of the instructions EXEC can trap (x_* below), decoded here so that
    // EXEC's trap decision starts from flip-flops
    logic        x_jal, x_jalr, x_ldst, x_sys;  // x_sys: ecall or ebreak
    logic        x_mret;
    // the illegal-instruction decode (legal, in EXEC): the opcode and funct3 (legal_a), and
    // the wide parts: funct7 = 0, 0100000, 0000001; a SYSTEM funct3 = 0 encoding we know; a
    // CSR address we know
    logic        legal_a, f7_0, f7_20, f7_01, sys_ok, csr_known;
    // register writes: rd != 0; EXEC writes rd (ex_rd, no trap EXEC finds, rd != 0, not a
    // CSR kept in the register file), decoded here so that rf_we starts from flip-flops
    logic        rd_nz, ex_we;
    // a CSR instruction that writes mstatus, mie, mcause (csr_we and the address)
    logic        w_mstatus, w_mie, w_mcause;
    // EXEC's next state unless it traps or a branch goes to BRT, and whether EXEC retires
    // the instruction then (not for MEM, MULDIV, WFI)
    logic [4:0]  ex_next;
    logic        ex_ret;
    // DecLate: EXEC writes rd from the adder's sum (add[i], sub, lui, auipc: s_sum); the
    // shallow parts of the decodes EXEC finishes from ir_q: a CSR instruction that writes
    // (w_mstatus, w_mie, w_mcause without the address), rs1 = rd = 0 (sys_ok without the
    // address), the CSR address's class by bits [11:4] (csr_known: 0x30x, 0x34x, 0xB/C with
    // bits [6:4] = 0, 0xF1x)
    logic        ex_sum, csr_we_x, sys_z;
    logic [3:0]  csr_hi;
  } dec_t;

  // the CSRs kept in the register file (see csr_in_rf; bits [9:8], [5:3] do not matter)
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic csr_in_rf_f(input logic [11:0] a);
    if (a[11:10] == 2'b00)
      csr_in_rf_f = ({a[6], a[2:0]} == 4'b1_000) || ({a[6], a[2:0]} == 4'b1_001) ||
                    ({a[6], a[2:0]} == 4'b1_011) || ({a[6], a[2:0]} == 4'b0_101);
    else
      csr_in_rf_f = a[7] && !a[0];
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // The illegal-instruction decode's parts (FETCH from the bus word, or with DecLate EXEC
  // from ir_q): the opcode and funct3 we know; a SYSTEM funct3 = 0 encoding we know; a CSR
  // address we know
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic legal_a_f(input logic [31:0] w);
    logic [2:0] f3;
    f3 = w[14:12];
    legal_a_f = 1'b0;
    if (w[1:0] == 2'b11) begin
      unique case (w[6:2])
        OpLui, OpAuipc, OpJal, OpImm, OpOp: legal_a_f = 1'b1;  // (funct7: in EXEC)
        OpJalr:    legal_a_f = (f3 == 3'd0);
        OpBranch:  legal_a_f = (f3 != 3'd2) && (f3 != 3'd3);
        OpLoad:    legal_a_f = (f3 != 3'd3) && (f3 != 3'd6) && (f3 != 3'd7);
        OpStore:   legal_a_f = (f3 == 3'd0) || (f3 == 3'd1) || (f3 == 3'd2);
        OpMiscMem: legal_a_f = (f3 == 3'd0) || (f3 == 3'd1);  // fence, fence.i
        OpSystem:  legal_a_f = (f3 != 3'd4);                  // (4 is unused)
        default:   legal_a_f = 1'b0;
      endcase
    end
  endfunction
  function automatic logic sys_ok_f(input logic [31:0] w);
    sys_ok_f = w[19:7] == 13'd0 &&
               (w[31:20] == 12'h000 || w[31:20] == 12'h001 ||
                w[31:20] == 12'h302 || w[31:20] == 12'h105);
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */
  function automatic logic csr_known_f(input logic [11:0] a);
    unique case (a)
      12'h300, 12'h301, 12'h304, 12'h305, 12'h340, 12'h341, 12'h342, 12'h343, 12'h344,
      12'hB00, 12'hB02, 12'hB80, 12'hB82,
      12'hC00, 12'hC02, 12'hC80, 12'hC82,
      12'hF11, 12'hF12, 12'hF13, 12'hF14: csr_known_f = 1'b1;
      12'hC01, 12'hC81:                   csr_known_f = (TimeCsr != 0);
      default:                            csr_known_f = 1'b0;
    endcase
  endfunction

  // The opcode classes from the fewest opcode bits that tell the legal opcodes apart (one
  // LUT each): exact for every legal instruction; an illegal one is cancelled and trapped
  // (ill_q) whatever they say.
  dec_t dec_d, dec_q;
  logic opb_rs2_q;  // op_b = rs2 (OP; a copy of dec_q.use_rs2 for the logic operations)
  always_comb begin
    logic [31:2] i;  // (bits [1:0] only matter to `legal`)
    logic [2:0]  f3;
    logic        fmt_s, fmt_b, fmt_u, fmt_j;
    i  = mem_rdata_i[31:2];
    f3 = i[14:12];
    dec_d.load   = !i[6] && !i[5] && !i[4] && !i[2];  // 00000 (MISC-MEM 00011: i[2])
    dec_d.opimm  = !i[6] && !i[5] &&  i[4] && !i[2];  // 00100
    dec_d.auipc  = !i[6] && !i[5] &&  i[4] &&  i[2];  // 00101
    dec_d.store  = !i[6] &&  i[5] && !i[4] && !i[2];  // 01000
    dec_d.op     = !i[6] &&  i[5] &&  i[4] && !i[2];  // 01100
    dec_d.lui    = !i[6] &&  i[5] &&  i[2];           // 01101
    dec_d.branch =  i[6] && !i[4] && !i[2];           // 11000
    dec_d.jalr   =  i[6] && !i[3] &&  i[2];           // 11001
    dec_d.jal    =  i[6] &&  i[3];                    // 11011
    dec_d.system =  i[6] &&  i[4];                    // 11100
    dec_d.use_rs2   = dec_d.op || dec_d.branch;
    dec_d.alu_sub   = (!i[6] && i[4] && !i[2] && f3[2:1] == 2'b01) ||  // slt[i][u]
                      (dec_d.op && f3 == 3'd0 && i[30]) ||             // sub
                      dec_d.branch;                                    // rs1 - rs2
    dec_d.alu_uns   = i[6] ? f3[1] : (f3 == 3'd3);  // (branches: bltu, bgeu)
    // jal, auipc: from i[6], i[5], i[3], i[2] (branches compare rs1 and rs2 in EXEC; a taken
    // one gets pc + imm in BRT, see below)
    dec_d.base_pc   = (i[6] && i[3]) || (!i[6] && !i[5] && !i[3] && i[2]);
    dec_d.base_zero = dec_d.lui;
    // I, S, B, U, J immediates, assembled bit field by bit field
    fmt_s = dec_d.store;
    fmt_b = dec_d.branch;
    fmt_u = !i[6] && i[4] && i[2];  // lui, auipc
    fmt_j = dec_d.jal;
    dec_d.imm[31]    = i[31];
    dec_d.imm[30:20] = fmt_u ? i[30:20] : {11{i[31]}};
    dec_d.imm[19:12] = (fmt_u || fmt_j) ? i[19:12] : {8{i[31]}};
    if (fmt_u)      dec_d.imm[11] = 1'b0;
    else if (fmt_b) dec_d.imm[11] = i[7];
    else if (fmt_j) dec_d.imm[11] = i[20];
    else            dec_d.imm[11] = i[31];
    dec_d.imm[10:5]  = fmt_u ? 6'd0 : i[30:25];
    if (fmt_u)               dec_d.imm[4:1] = 4'd0;
    else if (fmt_s || fmt_b) dec_d.imm[4:1] = i[11:8];
    else                     dec_d.imm[4:1] = i[24:21];
    if (fmt_s)                        dec_d.imm[0] = i[7];
    else if (fmt_b || fmt_u || fmt_j) dec_d.imm[0] = 1'b0;
    else                              dec_d.imm[0] = i[20];
    dec_d.x_jal  = mem_rdata_i[6:0] == 7'b1101111;
    dec_d.x_jalr = mem_rdata_i[6:0] == 7'b1100111 && f3 == 3'd0;
    dec_d.x_ldst = (mem_rdata_i[6:0] == 7'b0000011 && f3 != 3'd3 && f3[2:1] != 2'b11) ||
                   (mem_rdata_i[6:0] == 7'b0100011 && !f3[2] && f3 != 3'd3);
    dec_d.x_sys  = mem_rdata_i == 32'h0000_0073 || mem_rdata_i == 32'h0010_0073;
    dec_d.x_mret = mem_rdata_i == 32'h3020_0073;
    dec_d.f7_0   = mem_rdata_i[31:25] == 7'b0000000;
    dec_d.f7_20  = mem_rdata_i[31:25] == 7'b0100000;
    dec_d.f7_01  = mem_rdata_i[31:25] == 7'b0000001;
    dec_d.legal_a = legal_a_f(mem_rdata_i);
    dec_d.sys_ok  = sys_ok_f(mem_rdata_i);
    // the same as ex_rd, ex_trap and csr_in_rf of EXEC, from the bus word (an ecall or
    // ebreak, x_sys, has rd = 0)
    dec_d.rd_nz  = mem_rdata_i[11:7] != 5'd0;
    begin
      logic is_csr_d, is_slow_d, ex_rd_d, csr_write_d, c_ldst, c_csrr, c_mret, c_wfi;
      is_csr_d  = dec_d.system && f3 != 3'd0;
      csr_write_d = f3[1:0] == 2'b01 || mem_rdata_i[19:15] != 5'd0;
      is_slow_d = ((HasM != 0) && dec_d.op && i[25] && (f3[2] || FastMul == 0)) ||
                  ((dec_d.op || dec_d.opimm) && !i[25] && f3[1:0] == 2'd1 && FastShift != 1);
      ex_rd_d   = dec_d.lui || dec_d.auipc || dec_d.jal || dec_d.jalr || is_csr_d ||
                  ((dec_d.opimm || dec_d.op) && !is_slow_d);
      // (a jal's imm[1] is i[21])
      dec_d.ex_we = ex_rd_d && !(dec_d.x_jal && i[21]) &&
                    (DecLate != 0 ||
                     (dec_d.rd_nz && !(is_csr_d && csr_in_rf_f(mem_rdata_i[31:20]))));
      // The classes are exclusive (their opcodes or funct3 differ), so each bit of the next
      // state is a plain OR of those that set it (MEM 00100, MULDIV 00101, CSRR 01100, MRET
      // 01011, WFI 00110, else FETCH 00010), not a priority chain. Of the legal SYSTEM
      // funct3 = 0 instructions that do not trap in EXEC, mret and wfi, bit 29 tells mret
      // (like mret_rd); an illegal one goes to either, the ill_q cycle traps there.
      c_ldst  = dec_d.load || dec_d.store;
      // (CSRR: a CSR in the register file, or a write of a counter's low half, mcycle or
      // minstret: the only writable CSRs at 0xBxx besides mcycleh, minstreth, which are in
      // the register file; a write of another 0xBxx address is illegal, ill_q)
      c_csrr  = is_csr_d && (csr_in_rf_f(mem_rdata_i[31:20]) ||
                             (csr_write_d && mem_rdata_i[31:28] == 4'hB));
      c_mret  = dec_d.system && f3 == 3'd0 && i[29];
      c_wfi   = dec_d.system && f3 == 3'd0 && !i[29];
      dec_d.ex_next = {1'b0, c_csrr || c_mret, c_ldst || is_slow_d || c_csrr || c_wfi,
                       !(c_ldst || is_slow_d || c_csrr), is_slow_d || c_mret};
      dec_d.ex_ret  = !(c_ldst || is_slow_d || c_wfi);
    end
    begin
      logic csr_we_d;
      csr_we_d = mem_rdata_i[6:0] == 7'b1110011 && f3[1:0] != 2'd0 &&
                 (f3[1:0] == 2'b01 || mem_rdata_i[19:15] != 5'd0);
      dec_d.w_mstatus = csr_we_d && mem_rdata_i[31:20] == 12'h300;
      dec_d.w_mie     = csr_we_d && mem_rdata_i[31:20] == 12'h304;
      dec_d.w_mcause  = csr_we_d && mem_rdata_i[31:20] == 12'h342;
      dec_d.csr_we_x  = csr_we_d;
    end
    dec_d.csr_known = csr_known_f(mem_rdata_i[31:20]);
    dec_d.ex_sum    = ((dec_d.opimm || dec_d.op) && f3 == 3'd0 &&
                       !(FastMul != 0 && HasM != 0 && dec_d.op && i[25])) ||
                      dec_d.lui || dec_d.auipc;
    // DecLate: these (the illegal decode's wide parts, the CSR writes of mstatus, mie,
    // mcause) are decoded in EXEC from ir_q and the shallow parts above instead, and ex_we
    // leaves out rd != 0 and the CSR kept in the register file (EXEC applies them)
    dec_d.sys_z     = mem_rdata_i[19:7] == 13'd0;
    dec_d.csr_hi[0] = mem_rdata_i[31:24] == 8'h30;
    dec_d.csr_hi[1] = mem_rdata_i[31:24] == 8'h34;
    dec_d.csr_hi[2] = (mem_rdata_i[31:28] == 4'hB || mem_rdata_i[31:28] == 4'hC) &&
                      mem_rdata_i[26:24] == 3'd0;
    dec_d.csr_hi[3] = mem_rdata_i[31:24] == 8'hF1;
    if (DecLate != 0) begin
      dec_d.legal_a   = 1'b0;
      dec_d.sys_ok    = 1'b0;
      dec_d.csr_known = 1'b0;
      dec_d.w_mstatus = 1'b0;
      dec_d.w_mie     = 1'b0;
      dec_d.w_mcause  = 1'b0;
    end
  end

  logic irq_take;                   // FETCH: take an interrupt instead of fetching

  // Register-file writes are registered: a result is written the cycle after it is made
  // (wb_we_q), e.g. while the next fetch request goes out. A fetch that completes in such a
  // cycle is ignored and requested again (bus_wait_x), so that an instruction never reads
  // the register file in the cycle it is written (with the SoC's memories a fetch never
  // completes in its request cycle, so this costs nothing).
  logic wb_we_q;

  // In FETCH the instruction register, its decode and the register-file reads load in every
  // cycle, whatever the bus answers: the values of the cycle the instruction arrives are the
  // ones that stay (so the bus's late ready does not fan out to their enables). ir_q resets
  // to `lui x0, 0` for the x0 write of StBoot; dec_q is only used from EXEC on.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)                           ir_q <= LuiX0;
    else if (st_fetch_q && !ill_q) ir_q <= mem_rdata_i;
  end

  // In CNT1 the decode is set up for CNT2's high-half increment, rs1 + 1 = rs1 - ~0; in a
  // branch's EXEC (which compares rs1 - rs2) for BRT's target, pc + imm.
  always_ff @(posedge clk_i) begin
    if (st_fetch_q && !ill_q) begin
      dec_q    <= dec_d;
      opb_rs2_q <= dec_d.op;
    end else if (st_ex_q && dec_q.branch) begin
      dec_q.use_rs2   <= 1'b0;
      dec_q.alu_sub   <= 1'b0;
      dec_q.base_pc   <= 1'b1;
    end else if (state_q == StCnt1) begin
      dec_q.use_rs2   <= 1'b0;
      dec_q.alu_sub   <= 1'b1;
      dec_q.base_pc   <= 1'b0;
      dec_q.base_zero <= 1'b0;
      dec_q.jalr      <= 1'b0;
      dec_q.imm       <= '1;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Register file: x0-x31 and, at 32-47, the CSRs kept in block RAM. Two synchronous read
  // ports and one write port (registered: wb_*), in block RAM (two copies). The reset sequence writes x0 = 0
  // (and never again, so it reads as 0 without masks), mcycleh = minstreth = 0 and mtvec.
  // ---------------------------------------------------------------------------------------
  // (no_rw_check: a read in the cycle of a write to the same entry is never used, see
  // wb_we_q; without it Yosys would add read-first bypass logic)
  (* no_rw_check *) logic [31:0] rf_a [64];  // port A's copy
  (* no_rw_check *) logic [31:0] rf_b [64];  // port B's copy
  logic [31:0] rs1, rs2;            // read data, held until the next instruction arrives
  logic        rf_re_b;
  logic [5:0]  rf_ra_b;
  logic        rf_we;             // the write of this cycle's result, done next cycle
  logic [5:0]  rf_wa;
  logic [31:0] rf_wdata;          // this cycle's result (a load: the bus word)
  logic [5:0]  wb_wa_q;
  logic [31:0] wb_data_q;         // the result being written
  logic        wb_ld_q;           // ... is a load's bus word, to align
  logic [31:0] wb_data;           // wb_data_q aligned

  // Port A reads rs1 in FETCH, mtvec in TRAP1, mepc in an mret's EXEC and a counter's high
  // half in CNT1. Port B reads rs2 in FETCH (straight from the bus: no logic on the late
  // read data) and, in the EXEC of a CSR instruction on a CSR kept in the register file,
  // that CSR (32 + 8 csr[7] + csr[2:0]).
  logic [5:0] rf_ra_a;
  logic       rf_re_a, mret_rd;
  assign mret_rd = st_ex_q && dec_q.system && funct3 == 3'd0 && ir_q[29];
  // (not in the FETCH after a misaligned jalr: TRAP1 takes mtval from rs1 + imm)
  assign rf_re_a = (st_fetch_q && !ill_q) || (state_q == StTrap1) || (state_q == StCnt1) ||
                   mret_rd;
  always_comb begin
    if (st_fetch_q)              rf_ra_a = {1'b0, mem_rdata_i[19:15]};
    else if (state_q == StTrap1) rf_ra_a = RfMtvec;
    else if (state_q == StCnt1)  rf_ra_a = cnt_ret_q ? RfMinstreth : RfMcycleh;
    else                         rf_ra_a = RfMepc;
  end

  assign rf_ra_b = st_fetch_q ? {1'b0, mem_rdata_i[24:20]} : {2'b10, ir_q[27], ir_q[22:20]};
  assign rf_re_b = st_fetch_q || (st_ex_q && is_csr && csr_in_rf);

  always_ff @(posedge clk_i) begin
    if (rf_re_a) rs1 <= rf_a[rf_ra_a];
    if (rf_re_b) begin
      rs2 <= rf_b[rf_ra_b];
    end
  end

  always_ff @(posedge clk_i) begin
    if (wb_we_q && !ill_q) begin  // (an illegal instruction's write is cancelled)
      rf_a[wb_wa_q] <= wb_data;
      rf_b[wb_wa_q] <= wb_data;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Fields of the instruction in EXEC
  // ---------------------------------------------------------------------------------------
  logic [2:0]  funct3;
  logic [4:0]  rd;
  logic        is_csr;
  logic        is_muldiv;   // OP with funct7 = 1
  logic        is_shift;    // sll[i], srl[i], sra[i]
  logic        is_slow;     // goes through the iterative unit
  logic        legal;

  assign funct3    = ir_q[14:12];
  assign rd        = ir_q[11:7];
  assign is_csr    = dec_q.system && (funct3 != 3'd0);
  assign is_muldiv = (HasM != 0) && dec_q.op && ir_q[25];  // funct7 = 1 among the legal OP
  assign is_shift  = (dec_q.op || dec_q.opimm) && !ir_q[25] && (funct3[1:0] == 2'd1);
  assign is_slow   = (is_muldiv && (funct3[2] || FastMul == 0)) || (is_shift && FastShift != 1);

  // ---------------------------------------------------------------------------------------
  // ALU: one 33-bit adder/subtractor for add/sub, slt[i][u], the branch comparison
  // (rs1 - rs2), lui (0 + imm), auipc (pc + imm) and every target: jal and taken branches
  // (pc + imm), jalr and load/store addresses (rs1 + imm); the equality comparator; the
  // shifter (FastShift) and the logic operations
  // ---------------------------------------------------------------------------------------
  logic [31:0] alu_a, alu_b;
  logic [31:0] op_b;           // operand b of the logic operations and shift amounts
  logic [32:0] alu_sum;
  logic        alu_lt;
  logic        br_eq;
  logic [31:0] sh_res;
  logic [31:0] logic_res;
  logic        br_taken;
  logic [31:0] fast_mul_res;
  logic [31:0] tgt;

  assign alu_a = dec_q.base_pc ? {pc_q, 2'b00} : (dec_q.base_zero ? 32'd0 : rs1);
  assign alu_b = dec_q.use_rs2 ? rs2 : dec_q.imm;
  // The same value for the other users, from a copy of the select: a different net, so
  // that the adder's operand mux stays its own and becomes one LUT with the subtraction's
  // inversion (a shared mux node would add a LUT level before the chain).
  assign op_b  = opb_rs2_q ? rs2 : dec_q.imm;

  // a - b cannot overflow in 33 bits, so bit 32 is "less than" (signed or unsigned)
  assign alu_sum = {!dec_q.alu_uns && alu_a[31], alu_a} +
                   ({!dec_q.alu_uns && alu_b[31], alu_b} ^ {33{dec_q.alu_sub}}) +
                   {32'd0, dec_q.alu_sub};
  assign alu_lt  = alu_sum[32];
  assign tgt     = {alu_sum[31:1], alu_sum[0] && !dec_q.jalr};  // jalr clears bit 0

  // beq/bne compare with their own tree; blt[u]/bge[u] take the ALU's rs1 - rs2 (alu_lt)
  systole_rv32_eq u_br_eq (.a_i(rs1), .b_i(rs2), .eq_o(br_eq));  // (a balanced tree)

  if (FastShift == 1) begin : g_fast_shift
    // one right shifter; left shifts reverse the bits before and after
    logic [31:0] sh_in;
    logic [32:0] sh_out;
    always_comb begin
      for (int i = 0; i < 32; i++) sh_in[i] = (funct3 == 3'd1) ? rs1[31 - i] : rs1[i];
      sh_out = $signed({ir_q[30] && funct3 == 3'd5 && sh_in[31], sh_in}) >>> op_b[4:0];
      for (int i = 0; i < 32; i++) sh_res[i] = (funct3 == 3'd1) ? sh_out[31 - i] : sh_out[i];
    end
  end else begin : g_iter_shift
    assign sh_res = '0;  // shifts go through systole_rv32_muldiv
  end

  // the logic operations in one LUT per bit (funct3 4 xor, 6 or, 7 and)
  always_comb begin
    for (int i = 0; i < 32; i++)
      logic_res[i] = funct3[1] ? (funct3[0] ? rs1[i] & op_b[i] : rs1[i] | op_b[i])
                               : rs1[i] ^ op_b[i];
  end

  // beq/bne: equal; blt/bge/bltu/bgeu: less than; funct3[0] inverts
  assign br_taken = (funct3[2] ? alu_lt : br_eq) ^ funct3[0];

  // LtLate: EXEC keeps a blt/bge/bltu/bgeu's outcome for BRT (br_lt_q) and always goes there;
  // EqLate: a beq/bne's too (the equality tree then reaches only that flip-flop)
  logic br_lt_q, br_lt_late, brt_take;
  assign br_lt_late = EqLate != 0 || (LtLate != 0 && funct3[2]);
  if (EqLate != 0) begin : g_eq_late
    always_ff @(posedge clk_i) br_lt_q <= br_taken;
  end else begin : g_lt_late
    always_ff @(posedge clk_i) br_lt_q <= alu_lt ^ funct3[0];
  end
  assign brt_take = !br_lt_late || br_lt_q;  // BRT: pc = the target (else pc + 4: EXEC's)

  if (FastMul != 0 && HasM != 0) begin : g_fast_mul
    // One unsigned 32 x 32 product (four 16 x 16 DSP blocks on an FPGA); the signed high
    // words follow from it: a negative rs1 (mulh, mulhsu) weighs -2^32, so rs2 is
    // subtracted from the high word; likewise rs1 for a negative rs2 (mulh).
    logic [63:0] mul_p;
    logic [31:0] mul_hi;
    logic        a_neg, b_neg;
    assign a_neg  = (funct3 == 3'd1 || funct3 == 3'd2) && rs1[31];
    assign b_neg  = (funct3 == 3'd1) && rs2[31];
    assign mul_p  = {32'd0, rs1} * {32'd0, rs2};
    assign mul_hi = mul_p[63:32] - (a_neg ? rs2 : 32'd0) - (b_neg ? rs1 : 32'd0);
    assign fast_mul_res = (funct3 == 3'd0) ? mul_p[31:0] : mul_hi;
  end else begin : g_no_fast_mul
    assign fast_mul_res = '0;
  end

  // ---------------------------------------------------------------------------------------
  // The pc incrementer: pc + 4, but pc itself in the states that write pc to the register
  // file (TRAP2: mepc; BOOT2: mtvec = BootAddr; TRAP1: mtval = pc), so that the write-back
  // takes pc and pc + 4 as one source (none of these states takes pc_next from it). The
  // step is a flip-flop set with the state (pc_step_q), so the chain starts at flip-flops.
  logic [31:2] pc_inc;
  logic        pc_step_q;

  assign pc_inc  = pc_q + {29'd0, pc_step_q};

  // iterative multiply/divide (and shifts unless FastShift = 1)
  logic        md_start, md_done;
  logic [31:0] md_result;

  // started for every slow instruction in EXEC, even one that traps (then nothing waits for
  // it, and the next start restarts it): the start does not wait for the illegal decode
  assign md_start = st_ex_q && is_slow;

  if (HasM != 0) begin : g_muldiv
    systole_rv32_muldiv #(
      .Shifts (FastShift == 1 ? 0 : (FastShift == 0 ? 1 : 2))
    ) u_muldiv (
      .clk_i    (clk_i),
      .rst_ni   (rst_ni),
      .start_i  (md_start),
      .wait_i   (state_q == StMulDiv),
      .shift_i  (is_shift),
      .arith_i  (ir_q[30]),
      .op_i     (funct3),
      .a_i      (rs1),
      .b_i      (rs2),
      .shamt_i  (op_b[4:0]),
      .done_o   (md_done),
      .result_o (md_result)
    );
  end else if (FastShift != 1) begin : g_shift
    // RV32I: only the shifts are slow (is_muldiv is 0)
    systole_rv32_shift #(
      .Step4 (FastShift == 2 ? 1 : 0)
    ) u_shift (
      .clk_i    (clk_i),
      .rst_ni   (rst_ni),
      .start_i  (md_start),
      .right_i  (funct3[2]),
      .arith_i  (ir_q[30]),
      .a_i      (rs1),
      .shamt_i  (op_b[4:0]),
      .done_o   (md_done),
      .result_o (md_result)
    );
  end else begin : g_no_slow
    assign md_done   = 1'b0;  // (no slow instructions)
    assign md_result = '0;
  end

  // ---------------------------------------------------------------------------------------
  // Loads and stores: the store data comes straight from rs2 (which holds during MEM), the
  // byte position from the operands (ea_lo)
  // ---------------------------------------------------------------------------------------
  logic        ls_misaligned;
  logic [31:0] st_data;
  logic [3:0]  st_strb;
  logic [3:0]  wstrb_q;   // a store's byte enables in MEM (else 0), taken in EXEC
  logic [1:0]  lane_q;    // a load's byte offset, taken in EXEC (for the aligner)

  // the low two bits of rs1 + imm, straight from the operands (not from the carry chain):
  // byte lanes and misalignment checks of loads, stores and jalr
  logic [1:0] ea_lo;
  assign ea_lo[0] = rs1[0] ^ dec_q.imm[0];
  assign ea_lo[1] = rs1[1] ^ dec_q.imm[1] ^ (rs1[0] && dec_q.imm[0]);

  assign ls_misaligned = (funct3[1:0] == 2'd1 && ea_lo[0]) ||
                         (funct3[1:0] == 2'd2 && ea_lo != 2'd0);

  always_comb begin
    unique case (funct3[1:0])
      2'd0:    begin st_data = {4{rs2[7:0]}};  st_strb = 4'b0001 << ea_lo; end
      2'd1:    begin st_data = {2{rs2[15:0]}}; st_strb = 4'b0011 << ea_lo; end
      default: begin st_data = rs2;            st_strb = 4'b1111; end
    endcase
  end

  // The write-back register: this cycle's result (a load: the bus word, aligned on its way
  // into the register file; the instruction and rs1 hold until then)
  always_ff @(posedge clk_i) begin
    wb_data_q <= rf_wdata;
    wb_wa_q   <= rf_wa;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_we_q <= 1'b0;
      wb_ld_q <= 1'b0;
    end else begin
      wb_we_q <= rf_we;
      wb_ld_q <= st_mem_q;
    end
  end

  // byte 0 from any lane, byte 1 from lane 1 or 3, bytes 2-3 only for lw (aligned); anything
  // but a load passes unchanged (the word case)
  always_comb begin
    logic [2:0] f3;
    logic [1:0] lane;
    logic [7:0] b0, b1;
    logic       sign;
    f3   = wb_ld_q ? funct3 : 3'd2;
    lane = wb_ld_q ? lane_q : 2'd0;
    unique case (lane)
      2'd0:    b0 = wb_data_q[7:0];
      2'd1:    b0 = wb_data_q[15:8];
      2'd2:    b0 = wb_data_q[23:16];
      default: b0 = wb_data_q[31:24];
    endcase
    b1   = lane[1] ? wb_data_q[31:24] : wb_data_q[15:8];
    sign = !f3[2] && (f3[0] ? b1[7] : b0[7]);
    wb_data[7:0]   = b0;
    wb_data[15:8]  = (f3[1:0] == 2'd0) ? {8{sign}} : b1;
    wb_data[31:16] = f3[1] ? wb_data_q[31:16] : {16{sign}};
  end

  // ---------------------------------------------------------------------------------------
  // CSRs
  // ---------------------------------------------------------------------------------------
  logic [11:0] csr_addr;
  logic [31:0] csr_rdata, csr_src;
  /* verilator lint_off UNUSEDSIGNAL */
  // (only the bits of mstatus, mie, mcause are used: their old values are csr_trap's, not
  // the whole read mux's, so that their next values do not wait for its address decode)
  logic [31:0] csr_new;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] csr_new_wb;  // the same, from the old value in wb_data_q (CSRR, CSRW)
  logic        csr_known, csr_write, csr_we, csr_in_rf;
  logic [1:0]  irq_pending;  // mip & mie: {external, timer}
  logic [31:0] csr_cnt_lo;
  logic [31:0] csr_trap;

  assign csr_addr    = ir_q[31:20];
  assign irq_pending = mip_q & mie_q;
  // mscratch (0x340), mepc (0x341), mtval (0x343), mtvec (0x305), and the counters' high
  // halves mcycleh (0xB80, cycleh 0xC80) and minstreth (0xB82, instreth 0xC82): in the
  // register file, read through port B (rs2) in EXEC (timeh 0xC81 is time_i)
  assign csr_in_rf = csr_in_rf_f(csr_addr);

  // Read mux in groups selected by address bits (cheaper than a full 12-bit decode per
  // register): the counters (0xB00-0xB82, 0xC00-0xC82), the trap CSRs (0x300-0x344) and
  // the zero ID registers (0xF11-0xF14). csr_known says whether the address is one of ours
  // (decoded in FETCH: dec_d).
  // (DecLate: from the address's class, decoded in FETCH, and its low bits)
  logic [3:0] csr_lo;
  assign csr_lo    = csr_addr[3:0];
  assign csr_known = (DecLate == 0) ? dec_q.csr_known :
                     (dec_q.csr_hi[0] && !csr_lo[3] && !csr_lo[1]) ||                // 0x300/1/4/5
                     (dec_q.csr_hi[1] && !csr_lo[3] && (!csr_lo[2] || csr_lo[1:0] == 2'd0)) ||
                     (dec_q.csr_hi[2] && (csr_lo == 4'd0 || csr_lo == 4'd2 ||         // counters
                                          (TimeCsr != 0 && csr_lo == 4'd1 &&
                                           csr_addr[11:8] == 4'hC))) ||
                     (dec_q.csr_hi[3] && csr_lo != 4'd0 && csr_lo <= 4'd4);           // IDs
  always_comb begin
    // counters' low halves: [1] instret, [0] time, else cycle
    if (csr_addr[1])      csr_cnt_lo = minstret_lo_q;
    else if (csr_addr[0]) csr_cnt_lo = (TimeCsr != 0) ? time_i[31:0] : 32'd0;
    else                  csr_cnt_lo = mcycle_lo_q;
    // trap CSRs: [6] 0x34x, else 0x30x; [2:0] the register
    unique case ({csr_addr[6], csr_addr[2:0]})
      4'b0_000: csr_trap = {19'd0, 2'b11, 3'd0, mstatus_mpie_q, 3'd0, mstatus_mie_q, 3'd0};
      4'b0_001: csr_trap = MisaValue;
      4'b0_100: csr_trap = {20'd0, mie_q[1], 3'd0, mie_q[0], 7'd0};
      4'b1_010: csr_trap = {mcause_irq_q, 26'd0, mcause_code_q};
      4'b1_100: csr_trap = {20'd0, mip_q[1], 3'd0, mip_q[0], 7'd0};
      default:  csr_trap = '0;
    endcase
    if (csr_in_rf)                    csr_rdata = rs2;           // read in EXEC
    else if (csr_addr[11:10] == 2'b00) csr_rdata = csr_trap;     // 0x3xx
    else if (csr_addr[10:9] == 2'b11) csr_rdata = '0;            // 0xF1x
    else if (csr_addr[7])             csr_rdata = (TimeCsr != 0) ? time_i[63:32] : 32'd0;  // timeh
    else                              csr_rdata = csr_cnt_lo;    // 0xB0x, 0xC0x
  end

  // csrrw/csrrwi always write; csrrs/csrrc[i] only with a non-zero rs1 field or uimm
  assign csr_write   = (funct3[1:0] == 2'b01) || (ir_q[19:15] != 5'd0);
  assign csr_src     = funct3[2] ? {27'd0, ir_q[19:15]} : rs1;
  always_comb begin
    unique case (funct3[1:0])
      2'b01:   csr_new = csr_src;
      2'b10:   csr_new = csr_trap | csr_src;
      default: csr_new = csr_trap & ~csr_src;
    endcase
    // The same from the old value the cycle after it was read, when it is in the write-back
    // register: CSRR writes a counter's low half with it, CSRW a CSR in the register file
    // (mtvec and mepc keep bits [1:0] = 0; the mask does not matter for the counters' high
    // halves). csr_new itself only writes the few bits of mstatus, mie and mcause, in EXEC.
    unique case (funct3[1:0])
      2'b01:   csr_new_wb = csr_src;
      2'b10:   csr_new_wb = wb_data_q | csr_src;
      default: csr_new_wb = wb_data_q & ~csr_src;
    endcase
    if (csr_addr[1:0] == 2'b01 && csr_addr[11:10] == 2'b00) csr_new_wb[1:0] = 2'b00;
  end

  // ---------------------------------------------------------------------------------------
  // Illegal instruction decode
  // ---------------------------------------------------------------------------------------
  logic sys_ecall;

  assign sys_ecall  = (csr_addr == 12'h000);

  // The opcode and funct3 decoded in FETCH (legal_a; the opcode classes dec_q.opimm, op,
  // system are exact among its legal opcodes), then the wide parts, as a sum of products:
  // OP-IMM shifts with their funct7, OP's funct7 (sub, sra; M), and SYSTEM: ecall, ebreak,
  // mret, wfi (rs1 = rd = 0) or a known CSR, not written in the read-only range
  // 0xC00-0xFFF.
  logic legal_a, sys_ok;
  assign legal_a = (DecLate != 0) ? legal_a_f(ir_q) : dec_q.legal_a;
  assign sys_ok  = (DecLate == 0) ? dec_q.sys_ok :
                   dec_q.sys_z && (csr_addr == 12'h000 || csr_addr == 12'h001 ||
                                   csr_addr == 12'h302 || csr_addr == 12'h105);
  assign legal = legal_a &&
                 !(dec_q.opimm && ((funct3 == 3'd1 && !dec_q.f7_0) ||
                                   (funct3 == 3'd5 && !(dec_q.f7_0 || dec_q.f7_20)))) &&
                 !(dec_q.op && !(dec_q.f7_0 || (HasM != 0 && dec_q.f7_01) ||
                                 (dec_q.f7_20 && (funct3 == 3'd0 || funct3 == 3'd5)))) &&
                 !(dec_q.system && (funct3 == 3'd0 ? !sys_ok :
                                    (!csr_known || (csr_write && csr_addr[11:10] == 2'b11))));

  // ---------------------------------------------------------------------------------------
  // Main FSM
  // ---------------------------------------------------------------------------------------
  logic        trap_irq;
  logic [4:0]  trap_code;
  logic [1:0]  trap_tval_sel;
  logic        retire;
  logic        do_mret;
  logic        addr_we;      // addr_q <= pc_next
  logic        take_tgt;     // pc_next = tgt (jump, taken branch, the address of a load/store)
  logic        take_rs1;     // pc_next = rs1 (mret: mepc; TRAP2: mtvec)
  logic [31:2] pc_next;
  logic        ex_trap;      // EXEC: a trap known without the branch condition
  logic        jump;

  // At an instruction boundary, before a fetch request goes out: a counter's high half
  // increment (CNT1, CNT2), else an interrupt (external before timer, the standard
  // priority).
  // (*_x: the same without ill_q, which the next-state logic applies last)
  logic cnt_take, cnt_take_x, irq_take_x;
  logic ret_wrap;   // minstret's low half wraps now (the counters, below)
  assign cnt_take_x = st_fetch_q && !fetch_wait_q &&
                      (cyc_pend_q || ret_pend_q || (instret_inc_q && ret_all1_q));
  assign irq_take_x = st_fetch_q && !fetch_wait_q && irq_go_q &&
                      !(cyc_pend_q || ret_pend_q || (instret_inc_q && ret_all1_q));
  assign cnt_take   = cnt_take_x && !ill_q;
  assign irq_take   = irq_take_x && !ill_q;

  assign jump  = dec_q.jal || dec_q.jalr;
  // EXEC takes the traps of instructions it can recognise exactly in a few LUT levels
  // (exact decodes, so these are legal): misaligned jump, branch, load and store targets,
  // ecall, ebreak. An illegal instruction is only marked (ill_q): the next cycle, whatever
  // state it is, does nothing and enters TRAP1 (the illegal decode is deep).
  logic x_jal, x_jalr, x_ldst, x_sys, x_mret;
  assign x_jal    = dec_q.x_jal;    // ir_q[6:0] == 7'b1101111
  assign x_jalr   = dec_q.x_jalr;   // ir_q[6:0] == 7'b1100111 && funct3 == 0
  assign x_ldst   = dec_q.x_ldst;   // a load or store with a legal funct3
  assign x_sys    = dec_q.x_sys;    // ir_q == ecall or ebreak
  assign x_mret   = dec_q.x_mret;   // ir_q == mret
  // a jump target's bit 1: the immediate's for jal (pc is aligned), rs1 + imm's for jalr
  // (jalr, loads and stores with a misaligned address trap the cycle after, like illegal
  // instructions: mis_late, ill_q and mis_q)
  logic mis_late;
  assign ex_trap  = (x_jal && dec_q.imm[1]) || x_sys;
  assign mis_late = (x_jalr && ea_lo[1]) || (x_ldst && ls_misaligned);

  // The bus response (ready, error) comes late, through the SoC's address decode: it enters
  // through bus_ok/bus_err, applied after the rest of the next-state logic (the *_nb values,
  // kept as nets so that the LUT mapper cannot fold the response into their middle).
  logic bus_wait_x;          // FETCH (request out, no load write-back this cycle) or MEM
  logic bus_ok, bus_err;     // (without ill_q: in its cycle there is no request)
  (* keep *) logic [4:0] state_nb;
  (* keep *) logic       retire_nb, trap_nb;
  logic       rf_we_nb;
  logic       trap_irq_nb;
  logic [4:0] trap_code_nb;
  logic [1:0] tval_sel_nb;

  // A CSR instruction writing a known writable CSR is legal (nothing else in EXEC traps for
  // it), so the writes of the CSRs in flip-flops need not wait for the illegal decode: an
  // unknown or read-only address matches none of them.
  assign csr_we = st_ex_q && ir_q[6:0] == 7'b1110011 && funct3[1:0] != 2'd0 &&
                  csr_write;

  assign bus_wait_x = (st_fetch_q && !irq_take_x && !cnt_take_x && !wb_we_q) || st_mem_q;
  assign bus_ok     = bus_wait_x && mem_ready_i && !mem_err_i;
  assign bus_err    = bus_wait_x && mem_ready_i && mem_err_i;

  always_comb begin
    state_nb     = state_q;
    rf_we_nb     = 1'b0;
    retire_nb    = 1'b0;
    do_mret      = 1'b0;
    trap_nb      = 1'b0;
    trap_irq_nb  = 1'b0;
    trap_code_nb = ExcIllegal;
    tval_sel_nb  = TvalZero;

    unique case (state_q)
      StBoot: begin
        rf_we_nb = 1'b1;  // x0 = 0 (ir_q is `lui x0, 0`; no result source selected)
        state_nb = StBoot3;
      end

      StBoot3: begin
        rf_we_nb = 1'b1;  // mcycleh = 0
        state_nb = StBoot4;
      end

      StBoot4: begin
        rf_we_nb = 1'b1;  // minstreth = 0
        state_nb = StBoot2;
      end

      StBoot2: begin
        rf_we_nb = 1'b1;  // mtvec = pc = BootAddr
        state_nb = StFetch;
      end

      StFetch: begin
        if (cnt_take_x) begin
          state_nb = StCnt1;
        end else if (irq_take_x) begin
          trap_nb      = 1'b1;
          trap_irq_nb  = 1'b1;
          trap_code_nb = irq_pending[1] ? IrqExt : IrqTimer;
        end
        // else the instruction's arrival: bus_ok, bus_err
      end

      StExec: begin
        // the next state and the retirement decoded in FETCH (dec_d.ex_next, ex_ret): MEM
        // for loads and stores (addr_q = the data address, take_tgt), MULDIV, CSRR for a
        // CSR in the register file (read through port B now) or a write of a counter's low
        // half (in CSRR, from the old value then in wb_data_q), MRET (mepc is read through
        // port A), WFI (also an illegal SYSTEM encoding: ill_q), else FETCH: ALU, lui,
        // auipc, jumps, fence, fence.i, CSRs in flip-flops, and branches not taken (a taken
        // one goes to BRT instead: brt_go, applied last with the bus response)
        state_nb  = dec_q.ex_next;
        retire_nb = dec_q.ex_ret;
        // ex_rd && !ex_trap && rd != 0 && !(is_csr && csr_in_rf) (DecLate: the last two here)
        rf_we_nb  = dec_q.ex_we && (DecLate == 0 || (dec_q.rd_nz && !(is_csr && csr_in_rf)));
        do_mret   = x_mret;
        if (ex_trap) begin
          trap_nb = 1'b1;
          if (jump) begin  // (jal)
            trap_code_nb = ExcInsnMisaligned;
            tval_sel_nb  = TvalTgt;
          end else if (sys_ecall) begin
            trap_code_nb = ExcEcallM;
          end else begin
            trap_code_nb = ExcBreakpoint;
            tval_sel_nb  = TvalPc;
          end
        end
      end

      StMem: ;  // the response: bus_ok, bus_err

      StMulDiv: begin
        if (md_done) begin
          rf_we_nb  = dec_q.rd_nz;
          state_nb  = StFetch;
          retire_nb = 1'b1;
        end
      end

      StWfi: begin
        // wake on any enabled pending interrupt, whether or not mstatus.MIE is set
        if (irq_pending != 2'b00) begin
          state_nb  = StFetch;
          retire_nb = 1'b1;
        end
      end

      StBrt: begin
        // pc = pc + imm (take_tgt); a target not a multiple of 4 traps (its bit 1 is the
        // immediate's: pc is aligned). LtLate, a blt/bge/bltu/bgeu not taken (EqLate, a
        // beq/bne): pc + 4 (EXEC wrote it to addr_q), retire.
        if (dec_q.imm[1] && brt_take) begin
          trap_nb      = 1'b1;
          trap_code_nb = ExcInsnMisaligned;
          tval_sel_nb  = TvalTgt;
        end else begin
          state_nb  = StFetch;
          retire_nb = 1'b1;
        end
      end

      StMret: state_nb = StFetch;  // addr_q = mepc (take_rs1)

      StCnt1: state_nb = StCnt2;   // port A reads the high half

      StCnt2: begin
        rf_we_nb = 1'b1;           // high half + 1 (the adder)
        state_nb = StFetch;
      end

      StCsrR: begin
        // a CSR in the register file: rd = its old value (rs2), then CSRW if it is written;
        // a counter's low half: written now (cyc_wr_q, ret_wr_q), rd was written in EXEC
        rf_we_nb = csr_in_rf && dec_q.rd_nz;
        state_nb = (csr_in_rf && csr_write) ? StCsrW : StFetch;
      end

      StCsrW: begin
        rf_we_nb = 1'b1;  // the CSR; pc and addr_q moved on in EXEC
        state_nb = StFetch;
      end

      StTrap1: begin
        rf_we_nb = 1'b1;  // mtval; port A reads mtvec
        state_nb = StTrap2;
      end

      StTrap2: begin
        rf_we_nb = 1'b1;  // mepc = pc; pc = mtvec (take_rs1)
        state_nb = StFetch;
      end

      default: state_nb = StFetch;
    endcase

    // A trap replaces whatever the instruction would have done
    if (trap_nb) begin
      rf_we_nb  = 1'b0;
      retire_nb = 1'b0;
      state_nb  = StTrap1;
    end
  end

  // A taken branch (the ALU's comparison, late: after the carry chain) goes to BRT. EXEC
  // takes no trap for a branch, so this only replaces EXEC's FETCH and retirement.
  logic brt_go;
  assign brt_go = st_ex_q && dec_q.branch && (br_lt_late || br_taken);

  // state_d == StFetch, for st_fetch_q: state_nb == StFetch (fetch_nb, from the states and
  // their conditions directly, not through state_nb's encoding), then the bus response and
  // ill_q as for state_d
  logic fetch_nb, st_fetch_d;
  assign fetch_nb = state_q == StBoot2 || (st_fetch_q && !cnt_take_x && !irq_take_x) ||
                    (st_ex_q && !ex_trap &&  // (ex_next == StFetch)
                     !(dec_q.ex_next[0] || dec_q.ex_next[2] || dec_q.ex_next[3])) ||
                    (state_q == StMulDiv && md_done) ||
                    (state_q == StWfi && irq_pending != 2'b00) ||
                    (state_q == StBrt && !(dec_q.imm[1] && brt_take)) ||
                    state_q == StMret || state_q == StCnt2 ||
                    (state_q == StCsrR && !(csr_in_rf && csr_write)) ||
                    state_q == StCsrW || state_q == StTrap2 || state_q > StBoot4;
  assign st_fetch_d = !ill_q && ((bus_ok && st_mem_q) ||
                                 (!(bus_wait_x && mem_ready_i) && !brt_go && fetch_nb));

  // the bus response, then ill_q, last: the cycle after an illegal instruction's EXEC does
  // nothing but the trap (the instruction's register write and retirement are cancelled;
  // there is no bus request, so no response; it is never EXEC, so no brt_go)
  always_comb begin
    logic in_mem;
    in_mem   = st_mem_q;
    state_d  = ill_q ? StTrap1 :
               bus_err ? StTrap1 : (bus_ok ? (in_mem ? StFetch : StExec) :
                                     (brt_go ? StBrt : state_nb));
    retire   = (retire_nb && !brt_go && !ill_q) || (in_mem && mem_ready_i && !mem_err_i);
    rf_we    = (rf_we_nb && !ill_q) ||
               (in_mem && mem_ready_i && !mem_err_i && !dec_q.store && dec_q.rd_nz);
    trap_irq = trap_irq_nb && !ill_q;
    if (ill_q) begin
      if (!mis_q)           trap_code = ExcIllegal;
      else if (jump)        trap_code = ExcInsnMisaligned;  // (jalr)
      else if (dec_q.store) trap_code = ExcStoreMisaligned;
      else                  trap_code = ExcLoadMisaligned;
      trap_tval_sel = mis_q ? TvalTgt : TvalIr;  // (rs1 and the decode still hold)
    end else if (bus_err) begin
      trap_code     = !in_mem ? ExcInsnFault : (dec_q.store ? ExcStoreFault : ExcLoadFault);
      trap_tval_sel = in_mem ? TvalTgt : TvalPc;  // the data address, or the fetch address
    end else begin
      trap_code     = trap_code_nb;
      trap_tval_sel = tval_sel_nb;
    end
  end

  // pc_next goes to addr_q, the next bus address: in EXEC the next pc, or a load/store's data
  // address; at the end of MEM the next pc; in TRAP2 mtvec. EXEC writes it even when the
  // instruction traps (TRAP2 overwrites it), so that the enable does not wait for the trap
  // decode. pc_q takes addr_q when an instruction arrives, or when FETCH takes a trap (an
  // interrupt, a fetch fault): it is always the address of the instruction in flight, the
  // mepc of a trap.
  // take_tgt = jump, load/store (EXEC), a taken branch's target (BRT)
  assign take_tgt = (st_ex_q && (jump || dec_q.load || dec_q.store)) ||
                    (state_q == StBrt && brt_take);
  assign take_rs1 = state_q == StMret || state_q == StTrap2;
  (* keep *) logic addr_we_early;
  assign addr_we_early = st_ex_q || state_q == StTrap2 || state_q == StMret ||
                         (state_q == StBrt && brt_take);
  assign addr_we       = addr_we_early || (st_mem_q && mem_ready_i && !mem_err_i);

  assign fetch_wait_d = st_fetch_q && mem_valid_o && !mem_ready_i;

  logic [31:2] pc_other;
  assign pc_other = take_rs1 ? rs1[31:2] : pc_inc;
  systole_rv32_mux #(.W(30)) u_pc_next (
    .s_i(take_tgt), .a_i(tgt[31:2]), .b_i(pc_other), .y_o(pc_next)
  );

  // Register-file write: the address and the one selected source. The late sources enter
  // the structure in kept one-LUT helpers, each of at most four inputs: the bus read data
  // (a load) in the last LUT, with the group of deep-decoded sources (logic operations, the
  // CSR read mux, the barrel shifter: rf_wd_g1); the adder's sum (ALU results, lui, auipc,
  // mtval = a target or data address) in the one before, with the pc incrementer's (pc + 4
  // or pc; slt in bit 0) and the rest (rf_wd_g2, rf_wd_g3).
  logic        s_sum, s_slt, s_pc4, s_pc0, s_ld, s_ir;
  logic [31:0] rf_wd_g1, rf_wd_g2, rf_wd_g3, rf_wd_pre;
  always_comb begin
    logic s_logic, s_sh, s_csr, s_new, s_md, s_fm;
    logic ex, alu;
    ex      = st_ex_q;
    alu     = ex && (dec_q.opimm || dec_q.op) && !(FastMul != 0 && is_muldiv);
    // (DecLate: EXEC's part decoded in FETCH, so that the select of the write-back's adder
    // input starts at fewer flip-flops)
    if (DecLate != 0)
      s_sum = (ex && dec_q.ex_sum) ||
              (state_q == StTrap1 && tval_sel_q == TvalTgt) || state_q == StCnt2;
    else
      s_sum = (alu && funct3 == 3'd0) || (ex && (dec_q.lui || dec_q.auipc)) ||
              (state_q == StTrap1 && tval_sel_q == TvalTgt) || state_q == StCnt2;
    s_sh    = alu && funct3[1:0] == 2'd1 && FastShift == 1;
    s_slt   = alu && funct3[2:1] == 2'b01;
    s_logic = alu && funct3[2] && funct3 != 3'd5;
    s_fm    = ex && FastMul != 0 && is_muldiv;
    s_pc4   = ex && jump;                                  // the link, pc + 4
    s_pc0   = state_q == StTrap2 || state_q == StBoot2 ||  // mepc, mtvec = BootAddr,
              (state_q == StTrap1 && tval_sel_q == TvalPc); // mtval: pc
    s_ir    = (state_q == StTrap1 && tval_sel_q == TvalIr);
    s_csr   = (ex && is_csr) || state_q == StCsrR;
    s_new   = (state_q == StCsrW);
    s_ld    = st_mem_q;
    s_md    = (state_q == StMulDiv);
    rf_wd_g1 = ({32{s_logic}} & logic_res) | ({32{s_csr}} & csr_rdata) | ({32{s_sh}} & sh_res);
    rf_wd_g3 = ({32{s_new}} & csr_new_wb) | ({32{s_md}} & md_result) |
               ({32{s_fm}} & fast_mul_res);
    unique case (state_q)
      StBoot2: rf_wa = RfMtvec;
      StCsrW:  rf_wa = {2'b10, csr_addr[7], csr_addr[2:0]};
      StCnt2:  rf_wa = cnt_ret_q ? RfMinstreth : RfMcycleh;
      StBoot3: rf_wa = RfMcycleh;
      StBoot4: rf_wa = RfMinstreth;
      StTrap1: rf_wa = RfMtval;
      StTrap2: rf_wa = RfMepc;
      default: rf_wa = {1'b0, rd};
    endcase
  end
  // (pc_inc is pc + 4 for the link, pc in the s_pc0 states; its bits [1:0] are 0, so in bit
  // 0 slt's result, the adder's last carry, takes the sum's place, the sum's bit 0 (the
  // adder's first) and the instruction's joining the others)
  systole_rv32_ao2 #(.W(30)) u_wd_g2 (
    .sa_i(s_pc4 || s_pc0), .a_i(pc_inc), .sb_i(s_ir), .b_i(ir_q[31:2]), .y_o(rf_wd_g2[31:2])
  );
  assign rf_wd_g2[1] = s_ir && ir_q[1];
  assign rf_wd_g2[0] = (s_ir && ir_q[0]) || (s_sum && tgt[0]);
  systole_rv32_ao3 #(.W(31)) u_wd_pre (
    .s_i(s_sum), .a_i(tgt[31:1]), .b_i(rf_wd_g2[31:1]), .c_i(rf_wd_g3[31:1]),
    .y_o(rf_wd_pre[31:1])
  );
  systole_rv32_ao3 #(.W(1)) u_wd_slt (
    .s_i(s_slt), .a_i(alu_lt), .b_i(rf_wd_g2[0]), .c_i(rf_wd_g3[0]), .y_o(rf_wd_pre[0])
  );
  // the bus read data (late, through the SoC's address decode): one LUT to wb_data_q
  systole_rv32_ao3 #(.W(32)) u_wd_ld (
    .s_i(s_ld), .a_i(mem_rdata_i), .b_i(rf_wd_pre), .c_i(rf_wd_g1), .y_o(rf_wdata)
  );

  // CSR next values: trap entry, mret, CSR instruction writes
  logic w_mstatus, w_mie, w_mcause;  // (DecLate: the address here)
  assign w_mstatus = (DecLate == 0) ? dec_q.w_mstatus : dec_q.csr_we_x && csr_addr == 12'h300;
  assign w_mie     = (DecLate == 0) ? dec_q.w_mie     : dec_q.csr_we_x && csr_addr == 12'h304;
  assign w_mcause  = (DecLate == 0) ? dec_q.w_mcause  : dec_q.csr_we_x && csr_addr == 12'h342;
  always_comb begin
    mstatus_mie_d  = mstatus_mie_q;
    mstatus_mpie_d = mstatus_mpie_q;
    mie_d          = mie_q;
    mcause_irq_d   = mcause_irq_q;
    mcause_code_d  = mcause_code_q;
    if (do_mret) begin
      mstatus_mie_d  = mstatus_mpie_q;
      mstatus_mpie_d = 1'b1;
    end
    // trap entry, in TRAP1 (the cause was captured at the end of the trapping cycle)
    if (state_q == StTrap1) begin
      mstatus_mpie_d = mstatus_mie_q;
      mstatus_mie_d  = 1'b0;
      mcause_irq_d   = cause_irq_q;
      mcause_code_d  = cause_code_q;
    end
    // (csr_we and the address, decoded in FETCH; misa, mip: writes ignored; counters below;
    // the others in CSRW)
    if (st_ex_q && w_mstatus) begin
      mstatus_mie_d  = csr_new[3];
      mstatus_mpie_d = csr_new[7];
    end
    if (st_ex_q && w_mie) mie_d = {csr_new[11], csr_new[7]};
    if (st_ex_q && w_mcause) begin
      mcause_irq_d  = csr_new[31];
      mcause_code_d = csr_new[4:0];
    end
  end

  // ---------------------------------------------------------------------------------------
  // Counters: the low halves in flip-flops, the high halves in the register file (entries
  // RfMcycleh, RfMinstreth, read and written by CSR instructions like mscratch). When a low
  // half wraps, its high half is due + 1 (cyc_pend_q, ret_pend_q): at the next instruction
  // boundary the core spends CNT1 and CNT2 on it before fetching. minstret's wrap is known
  // in the cycle after the retirement (ret_wrap: from flip-flops, the cycle minstret counts
  // it; the retirement itself comes late, after EXEC's trap decode), which is the next
  // boundary's first cycle or before it, so no instruction sees minstreth late; mcycle's can come after
  // the boundary of the instruction then in flight, so mcycleh can lag for that
  // instruction (which the hi/lo/hi read loop tolerates). A CSR write of a low half comes
  // in CSRR, the cycle after EXEC, from the value read in EXEC (then in wb_data_q), and
  // replaces the half's increment in that cycle; a high half is written in CSRW, which
  // cancels a pending increment. An instruction writing minstret does not count itself;
  // minstret counts a retirement one cycle later (a csrr of it still reads the count
  // before its own).
  // ---------------------------------------------------------------------------------------
  logic        ret_wr_lo, ret_wr_hi;
  logic        cyc_wr_q, ret_wr_q;   // CSRR writes the low half of mcycle / minstret
  logic [32:0] mcycle_lo_inc;
  logic [31:0] minstret_lo_inc;
  logic        cyc_wrap;
  logic        ret_all1_q;           // minstret_lo_q == all ones last cycle

  assign ret_wr_lo       = csr_we && csr_addr == 12'hB02;
  assign ret_wr_hi       = csr_we && csr_addr == 12'hB82;
  // The written counter also goes through the adder (B = all ones then, its carries do not
  // matter): the carry cells' inputs then match a single LUT per bit that adds and selects
  // the write, which Yosys merges (opt_lut -dlogic SB_CARRY) - one LUT per counter bit.
  assign mcycle_lo_inc   = {1'b0, mcycle_lo_q} + {1'b0, {32{cyc_wr_q}}} + 33'd1;
  assign minstret_lo_inc = minstret_lo_q + {32{ret_wr_q}} + {31'd0, instret_inc_q && !ill_q};
  assign cyc_wrap        = mcycle_lo_inc[32] && !cyc_wr_q;
  // (an instruction that turns out illegal does not retire: see ill_q). Retirements are
  // at least two cycles apart and a write of minstret comes in CSRR (no retirement), so
  // minstret_lo_q did not change between the retiring cycle and this one: ret_all1_q holds.
  assign ret_wrap        = instret_inc_q && !ill_q && ret_all1_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mcycle_lo_q   <= '0;
      minstret_lo_q <= '0;
      cyc_pend_q    <= 1'b0;
      ret_pend_q    <= 1'b0;
      cnt_ret_q     <= 1'b0;
      cyc_wr_q      <= 1'b0;
      ret_wr_q      <= 1'b0;
      instret_inc_q <= 1'b0;
      ret_all1_q    <= 1'b0;
    end else begin
      ret_all1_q    <= minstret_lo_q == '1;
      mcycle_lo_q   <= cyc_wr_q ? csr_new_wb : mcycle_lo_inc[31:0];
      // (a write to minstret comes in CSRR, at least two cycles after the last retirement)
      minstret_lo_q <= ret_wr_q ? csr_new_wb : minstret_lo_inc;
      instret_inc_q <= retire && !ret_wr_lo && !ret_wr_hi;
      cyc_wr_q      <= csr_we && csr_addr == 12'hB00;  // (EXEC -> CSRR)
      ret_wr_q      <= ret_wr_lo;
      // pending high-half increments: done in CNT2, or cancelled by a write of the high half
      // (CSRW writes the CSR of ir_q: rf_wa == RfMcycleh iff csr_addr == mcycleh)
      cyc_pend_q <= cyc_wrap || (cyc_pend_q && !((state_q == StCnt2 && !cnt_ret_q) ||
                                                 (state_q == StCsrW && csr_addr == 12'hB80)));
      ret_pend_q <= ret_wrap || (ret_pend_q && !((state_q == StCnt2 && cnt_ret_q) ||
                                                 (state_q == StCsrW && csr_addr == 12'hB82)));
      if (st_fetch_q) cnt_ret_q <= !cyc_pend_q;  // mcycleh first
    end
  end

  // ---------------------------------------------------------------------------------------
  // The other registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= StBoot;
      st_fetch_q     <= 1'b0;
      st_ex_q        <= 1'b0;
      st_mem_q       <= 1'b0;
      pc_step_q      <= 1'b1;   // (StBoot)
      pc_q           <= BootAddr[31:2];
      addr_q         <= BootAddr[31:2];
      fetch_wait_q   <= 1'b0;
      ill_q          <= 1'b0;
      mis_q          <= 1'b0;
      wstrb_q        <= 4'b0000;
      lane_q         <= 2'd0;
      tval_sel_q     <= TvalZero;
      cause_irq_q    <= 1'b0;
      cause_code_q   <= '0;
      mstatus_mie_q  <= 1'b0;
      mstatus_mpie_q <= 1'b0;
      mie_q          <= '0;
      mip_q          <= '0;
      irq_go_q       <= 1'b0;
      mcause_irq_q   <= 1'b0;
      mcause_code_q  <= '0;
    end else begin
      state_q        <= state_d;
      st_fetch_q     <= st_fetch_d;
      st_ex_q        <= !ill_q && bus_ok && !st_mem_q;  // (state_d == StExec)
      // (state_d == StMem: a load/store's EXEC, or MEM until the response; an ill_q cycle
      // goes to TRAP1)
      st_mem_q       <= !ill_q && ((st_ex_q && (dec_q.load || dec_q.store)) ||
                                   (st_mem_q && !mem_ready_i));
      // (state_d is TRAP1 after a trap, TRAP2 after TRAP1, BOOT2 after BOOT4)
      pc_step_q      <= !(ill_q || bus_err || trap_nb || state_q == StTrap1 ||
                          state_q == StBoot4);
      if (st_fetch_q && !ill_q) pc_q <= addr_q;  // (every FETCH cycle, like ir_q)
      if (addr_we) addr_q <= pc_next;
      fetch_wait_q   <= fetch_wait_d;
      ill_q          <= st_ex_q && (!legal || mis_late);
      mis_q          <= mis_late;
      // wstrb_q is the bus's byte enables: a store's from EXEC until its MEM completes
      // (a plain register on the bus: the SoC decodes reads/writes from it)
      if (st_ex_q) begin
        wstrb_q <= (dec_q.store && !ls_misaligned) ? st_strb : 4'b0000;
        lane_q  <= ea_lo;
      end else if (state_q != StMem || mem_ready_i || ill_q) begin
        wstrb_q <= 4'b0000;
      end
      // captured every cycle; TRAP1 uses the values of the cycle that trapped
      tval_sel_q     <= trap_tval_sel;
      cause_irq_q    <= trap_irq;
      cause_code_q   <= trap_code;
      mstatus_mie_q  <= mstatus_mie_d;
      mstatus_mpie_q <= mstatus_mpie_d;
      mie_q          <= mie_d;
      mip_q          <= {irq_ext_i, irq_timer_i};
      // (from the next values, so that the bus request's irq_take starts at one flip-flop)
      irq_go_q       <= mstatus_mie_d && (({irq_ext_i, irq_timer_i} & mie_d) != 2'b00);
      mcause_irq_q   <= mcause_irq_d;
      mcause_code_q  <= mcause_code_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Native bus
  // ---------------------------------------------------------------------------------------
  assign mem_valid_o = ((st_fetch_q && !irq_take && !cnt_take) ||
                        st_mem_q) && !ill_q;
  assign mem_instr_o = st_fetch_q;
  assign mem_addr_o  = {addr_q, 2'b00};
  assign mem_wstrb_o = wstrb_q;
  assign mem_wdata_o = st_data;

  // ---------------------------------------------------------------------------------------
  // Parameter checks and assertions
  // ---------------------------------------------------------------------------------------
  initial begin
    if (BootAddr[1:0] != 2'b00) $fatal(1, "systole_rv32: BootAddr must be word aligned");
    if (FastMul != 0 && FastMul != 1) $fatal(1, "systole_rv32: FastMul must be 0 or 1");
    if (FastShift < 0 || FastShift > 2) $fatal(1, "systole_rv32: FastShift must be 0, 1 or 2");
    if (TimeCsr != 0 && TimeCsr != 1) $fatal(1, "systole_rv32: TimeCsr must be 0 or 1");
    if (HasM != 0 && HasM != 1) $fatal(1, "systole_rv32: HasM must be 0 or 1");
    if (EqLate != 0 && EqLate != 1) $fatal(1, "systole_rv32: EqLate must be 0 or 1");
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      // the state's copies and pc_step_q, set from shortcuts of state_d
      assert (st_fetch_q == (state_q == StFetch) && st_mem_q == (state_q == StMem) &&
              st_ex_q == (state_q == StExec) &&
              pc_step_q == !(state_q == StTrap1 || state_q == StTrap2 || state_q == StBoot2))
        else $error("systole_rv32: state copies differ from state_q");
      assert (!(state_q == StMulDiv && md_start)) else $error("systole_rv32: muldiv restarted");
    end
  end
`endif
endmodule

// ---------------------------------------------------------------------------------------
// One-LUT-level helpers of the core, each kept as its own hierarchy (keep_hierarchy): the
// LUT mapper cannot merge them with the logic around them, so a late signal (the output
// of a carry chain: adders, comparators, incrementers) passes exactly one LUT level here
// on its way to a register. (The mapper does not see carry-chain delays and would
// otherwise build the logic behind them as deep as its deepest path.)
// ---------------------------------------------------------------------------------------

/* verilator lint_off DECLFILENAME */

// y = (a if s) | b
(* keep_hierarchy *)
module systole_rv32_ao #(
  parameter int W = 32
) (
  input  logic         s_i,
  input  logic [W-1:0] a_i,
  input  logic [W-1:0] b_i,
  output logic [W-1:0] y_o
);
  assign y_o = ({W{s_i}} & a_i) | b_i;
endmodule

// y = (a if sa) | (b if sb)
(* keep_hierarchy *)
module systole_rv32_ao2 #(
  parameter int W = 32
) (
  input  logic         sa_i,
  input  logic [W-1:0] a_i,
  input  logic         sb_i,
  input  logic [W-1:0] b_i,
  output logic [W-1:0] y_o
);
  assign y_o = ({W{sa_i}} & a_i) | ({W{sb_i}} & b_i);
endmodule

// y = s ? a : b
(* keep_hierarchy *)
module systole_rv32_mux #(
  parameter int W = 32
) (
  input  logic         s_i,
  input  logic [W-1:0] a_i,
  input  logic [W-1:0] b_i,
  output logic [W-1:0] y_o
);
  assign y_o = s_i ? a_i : b_i;
endmodule

// y = (s1 && s2) ? a : b
(* keep_hierarchy *)
module systole_rv32_mux2s #(
  parameter int W = 32
) (
  input  logic         s1_i,
  input  logic         s2_i,
  input  logic [W-1:0] a_i,
  input  logic [W-1:0] b_i,
  output logic [W-1:0] y_o
);
  assign y_o = (s1_i && s2_i) ? a_i : b_i;
endmodule

// y = (a if s) | b | c
(* keep_hierarchy *)
module systole_rv32_ao3 #(
  parameter int W = 32
) (
  input  logic         s_i,
  input  logic [W-1:0] a_i,
  input  logic [W-1:0] b_i,
  input  logic [W-1:0] c_i,
  output logic [W-1:0] y_o
);
  assign y_o = ({W{s_i}} & a_i) | b_i | c_i;
endmodule

// y = a | b | c
(* keep_hierarchy *)
module systole_rv32_or3 #(
  parameter int W = 32
) (
  input  logic [W-1:0] a_i,
  input  logic [W-1:0] b_i,
  input  logic [W-1:0] c_i,
  output logic [W-1:0] y_o
);
  assign y_o = a_i | b_i | c_i;
endmodule

// eq = (a == b), mapped on its own: a balanced tree of 3 LUT levels
(* keep_hierarchy *)
module systole_rv32_eq (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic        eq_o
);
  assign eq_o = (a_i == b_i);
endmodule

/* verilator lint_on DECLFILENAME */
