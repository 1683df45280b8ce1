// systole_rv32: a small in-order RV32IM core, machine mode only (docs/soc.md).
//
// Multi-cycle, one instruction at a time:
//   FETCH  request the word at pc on the native bus; when it arrives, latch it and start
//          the register-file read of rs1/rs2 (synchronous, so the register file maps to
//          block RAM). Interrupts are taken here, before the request goes out.
//   EXEC   decode, ALU, branch/jump, CSR, system instructions, traps; writes rd and pc, or
//          moves on to MEM (loads, stores), MULDIV (divides; multiplies when !FastMul) or
//          WFI.
//   MEM    one data request on the native bus; a load writes rd when it arrives.
//   MULDIV wait for systole_rv32_muldiv (33 cycles).
//   WFI    wait until (mip & mie) != 0.
// CPI with a memory that answers reads one cycle after the request and writes in the same
// cycle (the SoC RAM): 3 for ALU, LUI/AUIPC, branches, jumps, CSR and system instructions,
// single-cycle multiplies (FastMul = 1) and traps into the handler; 5 for loads, 4 for
// stores; 36 for divides and iterative multiplies.
//
// Traps: mepc = the instruction's pc (interrupts: the next instruction's), mtval = the
// faulting address (misaligned jump target, data address, fetch address), the instruction
// for illegal instructions, pc for ebreak, 0 otherwise. A trapping instruction does not
// retire and writes no register.
module systole_rv32 #(
  parameter logic [31:0] BootAddr = 32'h0000_0000,  // reset pc and reset mtvec
  parameter int          FastMul  = 1               // 1: single-cycle multiply; 0: iterative
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
  localparam logic [2:0] StBoot   = 3'd0;  // one cycle after reset, no bus request
  localparam logic [2:0] StFetch  = 3'd1;
  localparam logic [2:0] StExec   = 3'd2;
  localparam logic [2:0] StMem    = 3'd3;
  localparam logic [2:0] StMulDiv = 3'd4;
  localparam logic [2:0] StWfi    = 3'd5;

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
  localparam logic [31:0] MisaValue = 32'h4000_1100;  // MXL = 32, I, M

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  logic [2:0]  state_q, state_d;
  logic [31:0] pc_q, pc_d;
  logic [31:0] ir_q, ir_d;          // the instruction being executed
  logic [31:0] addr_q, addr_d;      // bus address: pc, or the data address in MEM
  logic        fetch_wait_q, fetch_wait_d;  // a fetch request is out: hold it

  // CSRs
  logic        mstatus_mie_q, mstatus_mie_d;
  logic        mstatus_mpie_q, mstatus_mpie_d;
  logic [1:0]  mie_q, mie_d;        // {MEIE, MTIE}
  logic [1:0]  mip_q;               // {MEIP, MTIP}, the interrupt inputs registered
  logic [31:2] mtvec_q, mtvec_d;    // direct mode only
  logic [31:0] mscratch_q, mscratch_d;
  logic [31:2] mepc_q, mepc_d;
  logic        mcause_irq_q, mcause_irq_d;
  logic [4:0]  mcause_code_q, mcause_code_d;
  logic [31:0] mtval_q, mtval_d;
  logic [31:0] mcycle_lo_q, mcycle_lo_d, mcycle_hi_q, mcycle_hi_d;
  logic [31:0] minstret_lo_q, minstret_lo_d, minstret_hi_q, minstret_hi_d;

  // ---------------------------------------------------------------------------------------
  // Register file: two synchronous read ports (read when the instruction arrives), one
  // write port, so it maps to block RAM. x0 is written with 0 in the cycle after reset
  // (StBoot: ir_q resets to `lui x0, 0`, whose result is 0) and never again, so it reads
  // as 0 without masks.
  // ---------------------------------------------------------------------------------------
  logic [31:0] rf_q [32];
  logic [31:0] rs1, rs2;            // read data, held until the next instruction arrives
  logic        rf_re;
  logic        rf_we;               // the instruction writes rd (ignored for rd = x0)
  logic [31:0] rf_wdata;

  assign rf_re = (state_q == StFetch) && mem_ready_i;

  always_ff @(posedge clk_i) begin
    if (rf_re) begin
      rs1 <= rf_q[mem_rdata_i[19:15]];
      rs2 <= rf_q[mem_rdata_i[24:20]];
    end
  end

  always_ff @(posedge clk_i) begin
    if ((rf_we && ir_q[11:7] != 5'd0) || state_q == StBoot) rf_q[ir_q[11:7]] <= rf_wdata;
  end

  // ---------------------------------------------------------------------------------------
  // Decode
  // ---------------------------------------------------------------------------------------
  logic [4:0]  opcode;
  logic [2:0]  funct3;
  logic [6:0]  funct7;
  logic        is_lui, is_auipc, is_jal, is_jalr, is_branch, is_load, is_store;
  logic        is_imm, is_op, is_system, is_csr;
  logic        is_muldiv;   // OP with funct7 = 1
  logic        is_slow_m;   // an M instruction that goes through the iterative unit
  logic [31:0] imm;         // the immediate of whatever format the opcode uses
  logic        legal;

  assign opcode    = ir_q[6:2];
  assign funct3    = ir_q[14:12];
  assign funct7    = ir_q[31:25];
  assign is_lui    = (opcode == OpLui);
  assign is_auipc  = (opcode == OpAuipc);
  assign is_jal    = (opcode == OpJal);
  assign is_jalr   = (opcode == OpJalr);
  assign is_branch = (opcode == OpBranch);
  assign is_load   = (opcode == OpLoad);
  assign is_store  = (opcode == OpStore);
  assign is_imm    = (opcode == OpImm);
  assign is_op     = (opcode == OpOp);
  assign is_system = (opcode == OpSystem);
  assign is_csr    = is_system && (funct3 != 3'd0);
  assign is_muldiv = is_op && (funct7 == 7'b0000001);
  assign is_slow_m = is_muldiv && (funct3[2] || FastMul == 0);

  // I, S, B, U, J immediates, assembled bit field by bit field
  always_comb begin
    logic fmt_s, fmt_b, fmt_u, fmt_j;
    fmt_s = is_store;
    fmt_b = is_branch;
    fmt_u = is_lui || is_auipc;
    fmt_j = is_jal;
    imm[31]    = ir_q[31];
    imm[30:20] = fmt_u ? ir_q[30:20] : {11{ir_q[31]}};
    imm[19:12] = (fmt_u || fmt_j) ? ir_q[19:12] : {8{ir_q[31]}};
    if (fmt_u)      imm[11] = 1'b0;
    else if (fmt_b) imm[11] = ir_q[7];
    else if (fmt_j) imm[11] = ir_q[20];
    else            imm[11] = ir_q[31];
    imm[10:5]  = fmt_u ? 6'd0 : ir_q[30:25];
    if (fmt_u)              imm[4:1] = 4'd0;
    else if (fmt_s || fmt_b) imm[4:1] = ir_q[11:8];
    else                    imm[4:1] = ir_q[24:21];
    if (fmt_s)                       imm[0] = ir_q[7];
    else if (fmt_b || fmt_u || fmt_j) imm[0] = 1'b0;
    else                             imm[0] = ir_q[20];
  end

  // ---------------------------------------------------------------------------------------
  // ALU: a 33-bit adder/subtractor (add/sub, slt, branch compare, lui, auipc, the link
  // address pc + 4), the shifter and the logic operations
  // ---------------------------------------------------------------------------------------
  logic [31:0] alu_a, alu_b;
  logic        alu_sub, alu_uns;
  logic [32:0] alu_sum;
  logic        alu_lt;
  logic [31:0] sh_in;
  logic [32:0] sh_out;
  logic [31:0] sh_res;
  logic [31:0] alu_res;
  logic        br_taken;
  logic [31:0] fast_mul_res;

  always_comb begin
    if (is_auipc || is_jal || is_jalr) alu_a = pc_q;
    else if (is_lui)                   alu_a = '0;
    else                               alu_a = rs1;
    if (is_op || is_branch)            alu_b = rs2;
    else if (is_jal || is_jalr)        alu_b = 32'd4;
    else                               alu_b = imm;
    alu_sub = is_branch || ((is_op || is_imm) && (funct3 == 3'd2 || funct3 == 3'd3)) ||
              (is_op && funct3 == 3'd0 && ir_q[30]);
    alu_uns = is_branch ? funct3[1] : (funct3 == 3'd3);
  end

  // a - b cannot overflow in 33 bits, so bit 32 is "less than" (signed or unsigned)
  assign alu_sum = {!alu_uns && alu_a[31], alu_a} +
                   ({!alu_uns && alu_b[31], alu_b} ^ {33{alu_sub}}) + {32'd0, alu_sub};
  assign alu_lt  = alu_sum[32];

  // one right shifter; left shifts reverse the bits before and after
  always_comb begin
    for (int i = 0; i < 32; i++) sh_in[i] = (funct3 == 3'd1) ? rs1[31 - i] : rs1[i];
    sh_out = $signed({ir_q[30] && funct3 == 3'd5 && sh_in[31], sh_in}) >>> alu_b[4:0];
    for (int i = 0; i < 32; i++) sh_res[i] = (funct3 == 3'd1) ? sh_out[31 - i] : sh_out[i];
  end

  // lui, auipc and the jal/jalr link take the sum whatever their funct3 bits hold
  always_comb begin
    logic [2:0] op;
    op = (is_op || is_imm) ? funct3 : 3'd0;
    unique case (op)
      3'd0:       alu_res = alu_sum[31:0];
      3'd1, 3'd5: alu_res = sh_res;
      3'd2, 3'd3: alu_res = {31'd0, alu_lt};
      3'd4:       alu_res = rs1 ^ alu_b;
      3'd6:       alu_res = rs1 | alu_b;
      default:    alu_res = rs1 & alu_b;
    endcase
  end

  // beq/bne: equal (the adder subtracts for branches); blt/bge/bltu/bgeu: less than;
  // funct3[0] inverts
  assign br_taken = (funct3[2] ? alu_lt : (alu_sum[31:0] == 32'd0)) ^ funct3[0];

  if (FastMul != 0) begin : g_fast_mul
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
  // Target adder: jump and branch targets (pc or rs1 + immediate) and load/store addresses
  // ---------------------------------------------------------------------------------------
  logic [31:0] tgt_sum, tgt;
  logic [31:0] pc_plus4;

  assign tgt_sum  = ((is_jal || is_branch) ? pc_q : rs1) + imm;
  assign tgt      = {tgt_sum[31:1], tgt_sum[0] && !is_jalr};  // jalr clears bit 0
  assign pc_plus4 = pc_q + 32'd4;

  // iterative multiply/divide
  logic        md_start, md_done;
  logic [31:0] md_result;

  assign md_start = (state_q == StExec) && legal && is_slow_m;

  systole_rv32_muldiv u_muldiv (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .start_i  (md_start),
    .op_i     (funct3),
    .a_i      (rs1),
    .b_i      (rs2),
    .done_o   (md_done),
    .result_o (md_result)
  );

  // ---------------------------------------------------------------------------------------
  // Loads and stores (the store data comes straight from rs2, which holds during MEM)
  // ---------------------------------------------------------------------------------------
  logic        ls_misaligned;
  logic [31:0] ld_shifted, ld_data;
  logic [31:0] st_data;
  logic [3:0]  st_strb;

  assign ls_misaligned = (funct3[1:0] == 2'd1 && tgt[0]) ||
                         (funct3[1:0] == 2'd2 && tgt[1:0] != 2'd0);

  always_comb begin
    unique case (funct3[1:0])
      2'd0:    begin st_data = {4{rs2[7:0]}};  st_strb = 4'b0001 << addr_q[1:0]; end
      2'd1:    begin st_data = {2{rs2[15:0]}}; st_strb = 4'b0011 << addr_q[1:0]; end
      default: begin st_data = rs2;            st_strb = 4'b1111; end
    endcase
  end

  assign ld_shifted = mem_rdata_i >> {addr_q[1:0], 3'b000};
  always_comb begin
    unique case (funct3)
      3'd0:    ld_data = {{24{ld_shifted[7]}}, ld_shifted[7:0]};
      3'd1:    ld_data = {{16{ld_shifted[15]}}, ld_shifted[15:0]};
      3'd4:    ld_data = {24'd0, ld_shifted[7:0]};
      3'd5:    ld_data = {16'd0, ld_shifted[15:0]};
      default: ld_data = ld_shifted;
    endcase
  end

  // ---------------------------------------------------------------------------------------
  // CSRs
  // ---------------------------------------------------------------------------------------
  logic [11:0] csr_addr;
  logic [31:0] csr_rdata, csr_src, csr_new;
  logic        csr_known, csr_write, csr_illegal, csr_we;
  logic [1:0]  irq_pending;  // mip & mie: {external, timer}
  logic [31:0] csr_cnt_lo, csr_cnt_hi;
  logic [31:0] csr_trap;

  assign csr_addr    = ir_q[31:20];
  assign irq_pending = mip_q & mie_q;

  // Read mux in groups selected by address bits (cheaper than a full 12-bit decode per
  // register): the counters (0xB00-0xB82, 0xC00-0xC82), the trap CSRs (0x300-0x344) and
  // the zero ID registers (0xF11-0xF14). csr_known says whether the address is one of ours.
  always_comb begin
    unique case (csr_addr)
      12'h300, 12'h301, 12'h304, 12'h305, 12'h340, 12'h341, 12'h342, 12'h343, 12'h344,
      12'hB00, 12'hB02, 12'hB80, 12'hB82,
      12'hC00, 12'hC01, 12'hC02, 12'hC80, 12'hC81, 12'hC82,
      12'hF11, 12'hF12, 12'hF13, 12'hF14: csr_known = 1'b1;
      default:                            csr_known = 1'b0;
    endcase
    // counters: [1] instret, [0] time, else cycle
    if (csr_addr[1]) begin
      csr_cnt_lo = minstret_lo_q;
      csr_cnt_hi = minstret_hi_q;
    end else if (csr_addr[0]) begin
      csr_cnt_lo = time_i[31:0];
      csr_cnt_hi = time_i[63:32];
    end else begin
      csr_cnt_lo = mcycle_lo_q;
      csr_cnt_hi = mcycle_hi_q;
    end
    // trap CSRs: [6] 0x34x, else 0x30x; [2:0] the register
    unique case ({csr_addr[6], csr_addr[2:0]})
      4'b0_000: csr_trap = {19'd0, 2'b11, 3'd0, mstatus_mpie_q, 3'd0, mstatus_mie_q, 3'd0};
      4'b0_001: csr_trap = MisaValue;
      4'b0_100: csr_trap = {20'd0, mie_q[1], 3'd0, mie_q[0], 7'd0};
      4'b0_101: csr_trap = {mtvec_q, 2'b00};
      4'b1_000: csr_trap = mscratch_q;
      4'b1_001: csr_trap = {mepc_q, 2'b00};
      4'b1_010: csr_trap = {mcause_irq_q, 26'd0, mcause_code_q};
      4'b1_011: csr_trap = mtval_q;
      4'b1_100: csr_trap = {20'd0, mip_q[1], 3'd0, mip_q[0], 7'd0};
      default:  csr_trap = '0;
    endcase
    if (csr_addr[11:10] == 2'b00)     csr_rdata = csr_trap;    // 0x3xx
    else if (csr_addr[10:9] == 2'b11) csr_rdata = '0;          // 0xF1x
    else if (csr_addr[7])             csr_rdata = csr_cnt_hi;  // 0xB8x, 0xC8x
    else                              csr_rdata = csr_cnt_lo;  // 0xB0x, 0xC0x
  end

  // csrrw/csrrwi always write; csrrs/csrrc[i] only with a non-zero rs1 field or uimm
  assign csr_write   = (funct3[1:0] == 2'b01) || (ir_q[19:15] != 5'd0);
  // unknown CSRs, and writes to the read-only range 0xC00-0xFFF, are illegal
  assign csr_illegal = !csr_known || (csr_write && csr_addr[11:10] == 2'b11);
  assign csr_src     = funct3[2] ? {27'd0, ir_q[19:15]} : rs1;
  always_comb begin
    unique case (funct3[1:0])
      2'b01:   csr_new = csr_src;
      2'b10:   csr_new = csr_rdata | csr_src;
      default: csr_new = csr_rdata & ~csr_src;
    endcase
  end

  // ---------------------------------------------------------------------------------------
  // Illegal instruction decode
  // ---------------------------------------------------------------------------------------
  logic sys_ecall, sys_ebreak, sys_mret, sys_wfi;

  assign sys_ecall  = (csr_addr == 12'h000);
  assign sys_ebreak = (csr_addr == 12'h001);
  assign sys_mret   = (csr_addr == 12'h302);
  assign sys_wfi    = (csr_addr == 12'h105);

  always_comb begin
    legal = 1'b0;
    if (ir_q[1:0] == 2'b11) begin
      unique case (opcode)
        OpLui, OpAuipc, OpJal: legal = 1'b1;
        OpJalr:    legal = (funct3 == 3'd0);
        OpBranch:  legal = (funct3 != 3'd2) && (funct3 != 3'd3);
        OpLoad:    legal = (funct3 != 3'd3) && (funct3 != 3'd6) && (funct3 != 3'd7);
        OpStore:   legal = (funct3 == 3'd0) || (funct3 == 3'd1) || (funct3 == 3'd2);
        OpImm: begin
          if (funct3 == 3'd1)      legal = (funct7 == 7'd0);
          else if (funct3 == 3'd5) legal = (funct7 == 7'd0) || (funct7 == 7'b0100000);
          else                     legal = 1'b1;
        end
        OpOp:      legal = (funct7 == 7'd0) || (funct7 == 7'b0000001) ||
                           (funct7 == 7'b0100000 && (funct3 == 3'd0 || funct3 == 3'd5));
        OpMiscMem: legal = (funct3 == 3'd0) || (funct3 == 3'd1);  // fence, fence.i
        OpSystem: begin
          // ecall, ebreak, mret, wfi have rs1 = rd = 0; funct3 = 4 is unused
          if (funct3 == 3'd0)
            legal = (ir_q[19:7] == 13'd0) && (sys_ecall || sys_ebreak || sys_mret || sys_wfi);
          else
            legal = (funct3 != 3'd4) && !csr_illegal;
        end
        default:   legal = 1'b0;
      endcase
    end
  end

  // ---------------------------------------------------------------------------------------
  // Main FSM
  // ---------------------------------------------------------------------------------------
  // mtval sources. addr_q is the pc during FETCH and EXEC (fetch faults, ebreak) and the data
  // address in MEM (access faults).
  localparam logic [1:0] TvalZero = 2'd0;
  localparam logic [1:0] TvalIr   = 2'd1;
  localparam logic [1:0] TvalTgt  = 2'd2;
  localparam logic [1:0] TvalAddr = 2'd3;

  logic        irq_take;
  logic        trap;
  logic        trap_irq;
  logic [4:0]  trap_code;
  logic [1:0]  trap_tval_sel;
  logic [31:0] trap_tval;
  logic        retire;
  logic        do_mret;
  logic        pc_we;        // the instruction completes: pc_q <= pc_next
  logic        take_tgt;     // ... and continues at tgt (jump or taken branch)
  logic        to_mem;       // a load or store goes on to MEM with its address in addr_q
  logic [31:0] pc_next;

  // Interrupts are taken at an instruction boundary, before a fetch request goes out
  // (external before timer, the standard priority).
  assign irq_take = (state_q == StFetch) && !fetch_wait_q && mstatus_mie_q &&
                    (irq_pending != 2'b00);

  always_comb begin
    state_d       = state_q;
    ir_d          = ir_q;
    rf_we         = 1'b0;
    csr_we        = 1'b0;
    retire        = 1'b0;
    pc_we         = 1'b0;
    take_tgt      = 1'b0;
    to_mem        = 1'b0;
    do_mret       = 1'b0;
    trap          = 1'b0;
    trap_irq      = 1'b0;
    trap_code     = ExcIllegal;
    trap_tval_sel = TvalZero;

    unique case (state_q)
      StBoot: state_d = StFetch;

      StFetch: begin
        if (irq_take) begin
          trap      = 1'b1;
          trap_irq  = 1'b1;
          trap_code = irq_pending[1] ? IrqExt : IrqTimer;
        end else if (mem_ready_i) begin
          if (mem_err_i) begin
            trap          = 1'b1;
            trap_code     = ExcInsnFault;
            trap_tval_sel = TvalAddr;  // = pc during a fetch
          end else begin
            ir_d    = mem_rdata_i;
            state_d = StExec;
          end
        end
      end

      StExec: begin
        // the common case: write rd (if the instruction has one), go on to pc + 4
        state_d = StFetch;
        pc_we   = 1'b1;
        retire  = 1'b1;
        if (!legal) begin
          trap          = 1'b1;
          trap_code     = ExcIllegal;
          trap_tval_sel = TvalIr;
        end else if (is_lui || is_auipc || is_imm || is_op) begin
          if (is_slow_m) begin
            state_d = StMulDiv;
            pc_we   = 1'b0;
            retire  = 1'b0;
          end else begin
            rf_we = 1'b1;
          end
        end else if (is_jal || is_jalr || (is_branch && br_taken)) begin
          if (tgt[1]) begin
            trap          = 1'b1;
            trap_code     = ExcInsnMisaligned;
            trap_tval_sel = TvalTgt;
          end else begin
            rf_we    = !is_branch;
            take_tgt = 1'b1;
          end
        end else if (is_load || is_store) begin
          if (ls_misaligned) begin
            trap          = 1'b1;
            trap_code     = is_store ? ExcStoreMisaligned : ExcLoadMisaligned;
            trap_tval_sel = TvalTgt;
          end else begin
            state_d = StMem;
            pc_we   = 1'b0;
            retire  = 1'b0;
            to_mem  = 1'b1;
          end
        end else if (is_csr) begin
          rf_we  = 1'b1;
          csr_we = csr_write;
        end else if (is_system) begin
          if (sys_ecall) begin
            trap      = 1'b1;
            trap_code = ExcEcallM;
          end else if (sys_ebreak) begin
            trap          = 1'b1;
            trap_code     = ExcBreakpoint;
            trap_tval_sel = TvalAddr;  // = pc during EXEC
          end else if (sys_mret) begin
            do_mret = 1'b1;
          end else begin  // wfi
            state_d = StWfi;
            pc_we   = 1'b0;
            retire  = 1'b0;
          end
        end
        // else: not-taken branch, fence, fence.i
      end

      StMem: begin
        if (mem_ready_i) begin
          if (mem_err_i) begin
            trap          = 1'b1;
            trap_code     = is_store ? ExcStoreFault : ExcLoadFault;
            trap_tval_sel = TvalAddr;
          end else begin
            rf_we   = !is_store;
            pc_we   = 1'b1;
            state_d = StFetch;
            retire  = 1'b1;
          end
        end
      end

      StMulDiv: begin
        if (md_done) begin
          rf_we   = 1'b1;
          pc_we   = 1'b1;
          state_d = StFetch;
          retire  = 1'b1;
        end
      end

      StWfi: begin
        // wake on any enabled pending interrupt, whether or not mstatus.MIE is set
        if (irq_pending != 2'b00) begin
          pc_we   = 1'b1;
          state_d = StFetch;
          retire  = 1'b1;
        end
      end

      default: state_d = StFetch;
    endcase

    // A trap replaces whatever the instruction would have done.
    if (trap) begin
      rf_we   = 1'b0;
      csr_we  = 1'b0;
      retire  = 1'b0;
      pc_we   = 1'b1;
      state_d = StFetch;
    end
  end

  assign fetch_wait_d = (state_q == StFetch) && mem_valid_o && !mem_ready_i;
  // the data address is captured in every EXEC cycle; only loads and stores use it
  // addr_q follows pc, except that it holds the data address from EXEC to the end of MEM
  assign addr_d = (pc_we || to_mem) ? pc_next : addr_q;

  always_comb begin
    if (trap)          pc_next = {mtvec_q, 2'b00};
    else if (do_mret)  pc_next = {mepc_q, 2'b00};
    else if (take_tgt || to_mem) pc_next = tgt;
    else               pc_next = pc_plus4;
    pc_d = pc_we ? pc_next : pc_q;
  end

  always_comb begin
    if (state_q == StMem)             rf_wdata = ld_data;
    else if (state_q == StMulDiv)          rf_wdata = md_result;
    else if (is_csr)                       rf_wdata = csr_rdata;
    else if (FastMul != 0 && is_muldiv)    rf_wdata = fast_mul_res;
    else                                   rf_wdata = alu_res;
  end

  always_comb begin
    unique case (trap_tval_sel)
      TvalIr:   trap_tval = ir_q;
      TvalTgt:  trap_tval = tgt;
      TvalAddr: trap_tval = addr_q;
      default:  trap_tval = '0;
    endcase
  end

  // CSR next values: counters, trap entry, mret, CSR instruction writes (a write to either
  // half of a counter replaces the counter's increment in that cycle)
  always_comb begin
    logic [63:0] cycle_inc, instret_inc;
    logic        cycle_wr, instret_wr;
    cycle_wr       = csr_we && (csr_addr == 12'hB00 || csr_addr == 12'hB80);
    instret_wr     = csr_we && (csr_addr == 12'hB02 || csr_addr == 12'hB82);
    cycle_inc      = {mcycle_hi_q, mcycle_lo_q} + {63'd0, !cycle_wr};
    instret_inc    = {minstret_hi_q, minstret_lo_q} + {63'd0, retire && !instret_wr};
    mstatus_mie_d  = mstatus_mie_q;
    mstatus_mpie_d = mstatus_mpie_q;
    mie_d          = mie_q;
    mtvec_d        = mtvec_q;
    mscratch_d     = mscratch_q;
    mepc_d         = mepc_q;
    mcause_irq_d   = mcause_irq_q;
    mcause_code_d  = mcause_code_q;
    mtval_d        = mtval_q;
    mcycle_lo_d    = (csr_we && csr_addr == 12'hB00) ? csr_new : cycle_inc[31:0];
    mcycle_hi_d    = (csr_we && csr_addr == 12'hB80) ? csr_new : cycle_inc[63:32];
    minstret_lo_d  = (csr_we && csr_addr == 12'hB02) ? csr_new : instret_inc[31:0];
    minstret_hi_d  = (csr_we && csr_addr == 12'hB82) ? csr_new : instret_inc[63:32];
    if (do_mret) begin
      mstatus_mie_d  = mstatus_mpie_q;
      mstatus_mpie_d = 1'b1;
    end
    if (trap) begin
      mstatus_mpie_d = mstatus_mie_q;
      mstatus_mie_d  = 1'b0;
      mepc_d         = pc_q[31:2];
      mcause_irq_d   = trap_irq;
      mcause_code_d  = trap_code;
      mtval_d        = trap_tval;
    end
    if (csr_we) begin
      unique case (csr_addr)
        12'h300: begin
          mstatus_mie_d  = csr_new[3];
          mstatus_mpie_d = csr_new[7];
        end
        12'h304: mie_d      = {csr_new[11], csr_new[7]};
        12'h305: mtvec_d    = csr_new[31:2];
        12'h340: mscratch_d = csr_new;
        12'h341: mepc_d     = csr_new[31:2];
        12'h342: begin
          mcause_irq_d  = csr_new[31];
          mcause_code_d = csr_new[4:0];
        end
        12'h343: mtval_d    = csr_new;
        default: ;  // misa, mip: writes ignored; counters above
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= StBoot;
      pc_q           <= BootAddr;
      ir_q           <= LuiX0;
      addr_q         <= BootAddr;
      fetch_wait_q   <= 1'b0;
      mstatus_mie_q  <= 1'b0;
      mstatus_mpie_q <= 1'b0;
      mie_q          <= '0;
      mip_q          <= '0;
      mtvec_q        <= BootAddr[31:2];
      mscratch_q     <= '0;
      mepc_q         <= '0;
      mcause_irq_q   <= 1'b0;
      mcause_code_q  <= '0;
      mtval_q        <= '0;
      mcycle_lo_q    <= '0;
      mcycle_hi_q    <= '0;
      minstret_lo_q  <= '0;
      minstret_hi_q  <= '0;
    end else begin
      state_q        <= state_d;
      pc_q           <= pc_d;
      ir_q           <= ir_d;
      addr_q         <= addr_d;
      fetch_wait_q   <= fetch_wait_d;
      mstatus_mie_q  <= mstatus_mie_d;
      mstatus_mpie_q <= mstatus_mpie_d;
      mie_q          <= mie_d;
      mip_q          <= {irq_ext_i, irq_timer_i};
      mtvec_q        <= mtvec_d;
      mscratch_q     <= mscratch_d;
      mepc_q         <= mepc_d;
      mcause_irq_q   <= mcause_irq_d;
      mcause_code_q  <= mcause_code_d;
      mtval_q        <= mtval_d;
      mcycle_lo_q    <= mcycle_lo_d;
      mcycle_hi_q    <= mcycle_hi_d;
      minstret_lo_q  <= minstret_lo_d;
      minstret_hi_q  <= minstret_hi_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Native bus
  // ---------------------------------------------------------------------------------------
  assign mem_valid_o = ((state_q == StFetch) && !irq_take) || (state_q == StMem);
  assign mem_instr_o = (state_q == StFetch);
  assign mem_addr_o  = {addr_q[31:2], 2'b00};
  assign mem_wstrb_o = (state_q == StMem && is_store) ? st_strb : 4'b0000;
  assign mem_wdata_o = st_data;

  // ---------------------------------------------------------------------------------------
  // Parameter checks and assertions
  // ---------------------------------------------------------------------------------------
  initial begin
    if (BootAddr[1:0] != 2'b00) $fatal(1, "systole_rv32: BootAddr must be word aligned");
    if (FastMul != 0 && FastMul != 1) $fatal(1, "systole_rv32: FastMul must be 0 or 1");
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (pc_q[1:0] == 2'b00) else $error("systole_rv32: pc not word aligned");
      assert (!(state_q == StMulDiv && md_start)) else $error("systole_rv32: muldiv restarted");
    end
  end
`endif
endmodule
