// Systole SoC: the systole_rv32 core, RAM, UART, timer, simulation control, SoC info, the
// Systole accelerator (CSRs through an AXI4-Lite bridge) and main memory shared by the core
// and the accelerator's DMA. Memory map, core bus and ports: docs/soc.md.
//
// The core's native bus is decoded here. RAM reads complete one cycle after the request,
// writes in the request cycle; the UART, timer, SIMCTRL and SOCINFO registers are accessed
// the cycle after the request and answer the cycle after that (word offsets not listed in
// docs/soc.md read 0, writes ignored); the Systole CSRs take a few cycles through the bridge; main
// memory is shared with the DMA. Addresses outside every region answer the cycle after the
// request with a bus error.
//
// Timing: the read data the core sees comes from flip-flops or memory outputs through one
// multiplexer whose selects are registered (the decode of the held address, one cycle
// old); the ready is an OR of per-device signals, only a RAM or main-memory write's ready
// passes the address decode.
module systole_soc #(
  // the accelerator (see systole_top)
  parameter int Rows          = 8,
  parameter int Cols          = 8,
  parameter int SpadBytes     = 65536,
  parameter int AccBytes      = 16384,
  parameter int QParamLines   = 64,
  parameter int QueueDepth    = 8,
  parameter int ReadsInFlight = 64,
  parameter int AxiDataWidth  = 64,          // accelerator AXI and main memory line bits
  // the SoC
  parameter int RamBytes      = 65536,       // RAM at 0x0000_0000 (a multiple of 4)
  parameter int MainBytes     = 1 << 20,     // main memory at 0x8000_0000
  parameter     RamInitFile   = "",          // $readmemh image of the RAM, "" for none
  parameter int ClkHz         = 50000000,    // reported in SOCINFO.CLK_HZ
  parameter int UartDiv       = 434,         // reset value of UART DIV
  parameter int UartDivFixed  = 0,           // 1: UART DIV is UartDiv, read-only (the board)
  // 1: the loader port is registered in the SoC (no logic depends combinationally on a
  // top-level input); 0: it is used as it comes (the board: the loader's outputs are flops)
  parameter int LdReg         = 1,
  parameter int HasTimer      = 1,           // 0: no machine timer: TIMER reads 0, no interrupt
                                             //    (the board; docs/soc.md)
  parameter int TimerCmpRead  = 1,           // 0: MTIMECMP reads 0 (the board; docs/soc.md)
  parameter int TimerHiBits   = 32,          // MTIME = TimerHiBits + 32 bits (the board: 16)
  // 1: exit_valid_o/exit_code_o are registered (the cycle after the write); 0: they show the
  // write in its request cycle, straight from the bus (the board, which only tests the code
  // against 0: no 32-bit register)
  parameter int ExitReg       = 1,
  // 1 (the board, for timing): a core write to RAM and every core access to main memory
  // start the cycle after the request, from the registered address decode (a RAM store
  // and a main-memory access take one cycle more), and the RAM is read for every core read
  // in its request cycle (the data is used only if the address is in RAM), so that no
  // address decode drives the memories' enables
  parameter int BusLate       = 0,
  parameter int FastMul       = 1,           // core: 1 single-cycle multiply, 0 iterative
  parameter int FastShift     = (FastMul != 0) ? 1 : 2,  // core shifts: 1 barrel, 0/2 iterative
  parameter int TimeCsr       = 1,           // core: 1 time/timeh CSRs, 0 illegal
  parameter int HasM          = 1,           // core: 1 RV32IM, 0 RV32I (M illegal)
  parameter int LtLate        = 0,           // core: 1 blt/bge decided a cycle late (board)
  // core: 1 beq/bne decided a cycle late too; by default with LtLate and BusLate, which only
  // the board sets together
  parameter int EqLate        = (LtLate != 0 && BusLate != 0) ? 1 : 0,
  // the accelerator's area options (docs/architecture.md, "Parameters"); defaults: full chip
  parameter int WritesInFlight = 16,
  parameter int StoreRows     = 4,
  parameter int FetchDepth    = 4,
  parameter int HasSoftmax    = 1,
  parameter int PerfFull      = 1,
  parameter int UseIce40Dsp   = 0,
  parameter int SpadReadPorts = 2,
  parameter int AccReadPorts  = 2,
  parameter int SerialRequant = 0,
  parameter int LdSerial      = 0,
  parameter int SerialStore   = 0,
  parameter int CsrRam        = (PerfFull == 0) ? 1 : 0,
  parameter logic [31:0] DmaAddrMask = 32'hFFFF_FFFF,  // accelerator (the board: 32'h8001_FFFF)
  parameter logic [31:0] DmaSizeMask = 32'hFFFF_FFFF,  // accelerator (the board: 32'h0001_FFFF)
  parameter int          RingBits    = 16,             // accelerator (the board: 12)
  // 1 (the board): the core boots from a boot ROM at 0x0800_0000 (BootRomBytes, initialised
  // from BootRomFile) and an SPI master page (0x1000_4000) drives the spi_* ports, so that
  // the boot program loads the firmware from a SPI flash (firmware/boot/boot.S); the loader
  // port (boot_hold_i, ld_*) is then ignored. Needs BusLate = 1. 0: no ROM, no SPI page
  // (their addresses are unmapped), the core boots at 0 (after the loader port's load).
  parameter int BootRom       = 0,
  parameter int BootRomBytes  = 1024,
  parameter     BootRomFile   = ""
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  output logic        uart_tx_o,
  // for simulators: one cycle per byte written to UART TXDATA, per write to SIMCTRL EXIT
  output logic        uart_byte_valid_o,
  output logic [7:0]  uart_byte_o,
  output logic        exit_valid_o,
  output logic [31:0] exit_code_o,
  // loader: hold the core in reset and write 32-bit words into RAM or main memory
  input  logic        boot_hold_i,
  input  logic        ld_we_i,
  input  logic [31:0] ld_addr_i,
  input  logic [31:0] ld_wdata_i,
  // SPI master (BootRom = 1; otherwise CS high, SCK and MOSI low)
  output logic        spi_cs_no,
  output logic        spi_sck_o,
  output logic        spi_mosi_o,
  input  logic        spi_miso_i,
  // observability
  output logic        acc_irq_o,
  output logic        acc_idle_o
);
  localparam int          RamWords   = RamBytes / 4;
  localparam int          RamAw      = $clog2(RamWords);
  localparam logic [31:0] MainBase   = 32'h8000_0000;
  localparam int          AxiIdWidth = 2;
  // power-of-two regions (MainBase is aligned to the size) decode with equalities
  localparam int          RamLog     = $clog2(RamBytes);
  localparam int          MainLog    = $clog2(MainBytes);
  localparam bit          RamPow2    = (RamBytes & (RamBytes - 1)) == 0;
  localparam bit          MainPow2   = (MainBytes & (MainBytes - 1)) == 0;
  localparam logic [31:0] RomBase    = 32'h0800_0000;
  localparam int          RomWords   = BootRomBytes / 4;
  localparam int          RomLog     = $clog2(BootRomBytes);

  // ---------------------------------------------------------------------------------------
  // The core, held in reset while boot_hold_i (through a flop, so the reset is glitch-free)
  // ---------------------------------------------------------------------------------------
  logic        core_rst_nq;
  logic        c_valid, c_ready, c_err;
  logic [31:0] c_addr, c_wdata, c_rdata;
  logic [3:0]  c_wstrb;
  logic        acc_irq, tmr_irq;
  logic [63:0] mtime;

  // (BootRom: the boot program loads the firmware; the loader port is not used)
  logic boot_hold;
  assign boot_hold = (BootRom != 0) ? 1'b0 : boot_hold_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) core_rst_nq <= 1'b0;
    else         core_rst_nq <= !boot_hold;
  end

  systole_rv32 #(
    .BootAddr  ((BootRom != 0) ? RomBase : 32'h0000_0000),
    .FastMul   (FastMul),
    .FastShift (FastShift),
    .TimeCsr   (TimeCsr),
    .HasM      (HasM),
    .LtLate    (LtLate),
    .EqLate    (EqLate)
  ) u_cpu (
    .clk_i       (clk_i),
    .rst_ni      (core_rst_nq),
    .mem_valid_o (c_valid),
    .mem_instr_o (),
    .mem_addr_o  (c_addr),
    .mem_wstrb_o (c_wstrb),
    .mem_wdata_o (c_wdata),
    .mem_ready_i (c_ready),
    .mem_rdata_i (c_rdata),
    .mem_err_i   (c_err),
    .irq_ext_i   (acc_irq),
    .irq_timer_i (tmr_irq),
    .time_i      (mtime)
  );

  // ---------------------------------------------------------------------------------------
  // Address decode
  // ---------------------------------------------------------------------------------------
  logic        c_write;
  logic        sel_ram, sel_io, sel_csr, sel_main, sel_rom;
  logic [2:0]  io_page;  // 0 UART, 1 TIMER, 2 SIMCTRL, 3 SOCINFO, 4 SPI (BootRom)

  function automatic logic in_main(input logic [31:0] addr);
    if (MainPow2) in_main = ((addr ^ MainBase) >> MainLog) == 32'd0;
    else          in_main = ({1'b0, addr} >= {1'b0, MainBase}) &&
                            ({1'b0, addr} < {1'b0, MainBase} + 33'(MainBytes));
  endfunction
  function automatic logic in_ram(input logic [31:0] addr);
    if (RamPow2) in_ram = (addr >> RamLog) == 32'd0;
    else         in_ram = (addr < 32'(RamBytes));
  endfunction

  assign c_write  = (c_wstrb != 4'b0000);
  assign sel_ram  = in_ram(c_addr);
  // 0x1000_0000 - 0x1000_3FFF (and the SPI page 0x1000_4000 - 0x1000_4FFF with BootRom)
  assign sel_io   = (c_addr[31:14] == 18'h0_4000) ||
                    ((BootRom != 0) && c_addr[31:12] == 20'h1_0004);
  assign sel_csr  = (c_addr[31:12] == 20'h2_0000);  // 0x2000_0000 - 0x2000_0FFF
  assign sel_main = in_main(c_addr);
  assign sel_rom  = (BootRom != 0) && (c_addr >> RomLog) == (RomBase >> RomLog);
  assign io_page  = {(BootRom != 0) && c_addr[14], c_addr[13:12]};

  // ---------------------------------------------------------------------------------------
  // RAM (the loader writes it while the core is held)
  // ---------------------------------------------------------------------------------------
  logic              ram_rd_q;  // a core read was issued last cycle
  logic              late_go;   // BusLate: a request pending since last cycle (see cont_q)
  logic              ram_wr_late;  // BusLate: the core's RAM write, in this cycle
  logic              unm_ack_q, rs_ram_q, rs_main_q, rs_csr_q;  // (see the response)
  assign ram_wr_late = (BusLate != 0) && late_go && rs_ram_q && c_write;
  logic              ram_req;
  logic [3:0]        ram_we;
  logic [RamAw-1:0]  ram_addr;
  logic [31:0]       ram_wdata, ram_rdata;
  logic              ld_ram, ld_main;
  // With LdReg the loader port is registered: a word is written the cycle after ld_we_i,
  // and no logic depends combinationally on a top-level input (a simulator evaluates none
  // of the bus logic when it only changes inputs).
  logic              ld_we_q;
  logic [31:0]       ld_addr_q, ld_wdata_q;
  // the memories' shared write fields: the loader's word while it writes, else the core's
  logic [31:0]       b_addr, b_wdata;
  logic [3:0]        b_wstrb;

  if (LdReg != 0) begin : g_ld_reg
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        ld_we_q    <= 1'b0;
        ld_addr_q  <= '0;
        ld_wdata_q <= '0;
      end else begin
        ld_we_q    <= ld_we_i;
        ld_addr_q  <= ld_addr_i;
        ld_wdata_q <= ld_wdata_i;
      end
    end
  end else if (BootRom != 0) begin : g_ld_none  // (the boot program loads: no loader port)
    assign ld_we_q    = 1'b0;
    assign ld_addr_q  = '0;
    assign ld_wdata_q = '0;
    logic unused_ld;
    assign unused_ld = &{1'b0, boot_hold_i, ld_we_i, ld_addr_i, ld_wdata_i};
  end else begin : g_ld_direct
    assign ld_we_q    = ld_we_i;
    assign ld_addr_q  = ld_addr_i;
    assign ld_wdata_q = ld_wdata_i;
  end

  assign ld_ram  = ld_we_q && in_ram(ld_addr_q);
  assign ld_main = ld_we_q && in_main(ld_addr_q);
  assign b_addr  = ld_we_q ? ld_addr_q : c_addr;
  assign b_wdata = ld_we_q ? ld_wdata_q : c_wdata;
  assign b_wstrb = ld_we_q ? 4'b1111 : c_wstrb;

  always_comb begin
    if (BusLate != 0)
      ram_req = ld_ram || (c_valid && !c_write && !ram_rd_q) || ram_wr_late;
    else
      ram_req = ld_ram || (c_valid && sel_ram && !ram_rd_q);
    ram_we    = (BusLate != 0 && !ld_we_q && !ram_wr_late) ? 4'b0000 : b_wstrb;
    ram_addr  = b_addr[2 +: RamAw];
    ram_wdata = b_wdata;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ram_rd_q <= 1'b0;
    else         ram_rd_q <= !ld_ram && ram_req && !c_write;
  end

  systole_soc_ram #(
    .Words    (RamWords),
    .InitFile (RamInitFile)
  ) u_ram (
    .clk_i   (clk_i),
    .req_i   (ram_req),
    .we_i    (ram_we),
    .addr_i  (ram_addr),
    .wdata_i (ram_wdata),
    .rdata_o (ram_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // UART, TIMER, SIMCTRL, SOCINFO
  // ---------------------------------------------------------------------------------------
  logic        io_req, io_ack_q, cont_q;
  logic [4:0]  io_dec_q;  // the held address's page, decoded last cycle ([4]: BootRom only)
  logic        spi_busy;  // the SPI page answers only when no byte is being shifted
  logic [31:0] spi_rdata;
  logic [31:0] uart_rdata, tmr_rdata, info_rdata, io_rdata, io_rdata_q;
  logic        exit_valid_q;
  logic [31:0] exit_code_q;

  // The devices see a request in the cycle after its request cycle, with the address
  // decode registered (io_dec_q: the address is held, so last cycle's decode is this
  // request's once cont_q says that the request was already pending last cycle): the
  // write enables come from flip-flops through the devices' offset decode. The access is
  // answered the cycle after that (io_ack_q), the read data registered and zero when not
  // answering (it is ORed into the core's read data); the bus holds the request's fields
  // until then, which the timer relies on.
  assign io_req = cont_q && (io_dec_q != 5'd0) && !io_ack_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cont_q     <= 1'b0;
      io_dec_q   <= '0;
      io_ack_q   <= 1'b0;
      io_rdata_q <= '0;
    end else begin
      cont_q     <= c_valid && !c_ready;
      io_dec_q   <= sel_io ? (5'b00001 << io_page) : 5'b00000;
      io_ack_q   <= io_req && !(io_dec_q[4] && spi_busy);
      io_rdata_q <= io_req ? io_rdata : 32'd0;
    end
  end

  systole_soc_uart #(
    .UartDiv  (UartDiv),
    .DivFixed (UartDivFixed)
  ) u_uart (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .req_i        (io_req && io_dec_q[0]),
    .we_i         (c_write),
    .addr_i       (c_addr[11:2]),
    .wdata_i      (c_wdata[15:0]),
    .rdata_o      (uart_rdata),
    .tx_o         (uart_tx_o),
    .byte_valid_o (uart_byte_valid_o),
    .byte_o       (uart_byte_o)
  );

  // Without the timer (HasTimer = 0, the board: its counters, compare and MTIMECMP flops are
  // about 230 logic cells) the TIMER page reads 0, ignores writes and never interrupts; the
  // firmware sees MTIME stand still and waits by polling (docs/firmware.md).
  if (HasTimer != 0) begin : g_timer
    systole_soc_timer #(
      .CmpRead (TimerCmpRead),
      .HiBits  (TimerHiBits)
    ) u_timer (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .req_i   (io_req && io_dec_q[1]),
      .we_i    (c_write),
      .addr_i  (c_addr[11:2]),
      .wdata_i (c_wdata),
      .rdata_o (tmr_rdata),
      .irq_o   (tmr_irq),
      .mtime_o (mtime)
    );
  end else begin : g_no_timer
    assign tmr_rdata = '0;
    assign tmr_irq   = 1'b0;
    assign mtime     = '0;
  end

  // SIMCTRL: +0 EXIT
  logic exit_wr;
  assign exit_wr = io_req && io_dec_q[2] && c_write && c_addr[11:2] == 10'd0;
  if (ExitReg != 0) begin : g_exit_reg
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        exit_valid_q <= 1'b0;
        exit_code_q  <= '0;
      end else begin
        exit_valid_q <= exit_wr;
        if (exit_wr) exit_code_q <= c_wdata;
      end
    end
  end else begin : g_exit_direct
    assign exit_valid_q = exit_wr;
    assign exit_code_q  = c_wdata;
  end
  assign exit_valid_o = exit_valid_q;
  assign exit_code_o  = exit_code_q;

  // SOCINFO: +0 CLK_HZ, +4 RAM_BYTES, +8 MAIN_BASE, +C MAIN_BYTES
  always_comb begin
    unique case (c_addr[11:2])
      10'd0:   info_rdata = 32'(ClkHz);
      10'd1:   info_rdata = 32'(RamBytes);
      10'd2:   info_rdata = MainBase;
      10'd3:   info_rdata = 32'(MainBytes);
      default: info_rdata = '0;
    endcase
  end

  // SPI (BootRom): the boot program's access to the flash
  if (BootRom != 0) begin : g_spi
    systole_soc_spi u_spi (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .req_i      (io_req && io_dec_q[4]),
      .we_i       (c_write),
      .addr_i     (c_addr[2]),
      .wdata_i    (c_wdata[7:0]),
      .rdata_o    (spi_rdata),
      .busy_o     (spi_busy),
      .spi_cs_no  (spi_cs_no),
      .spi_sck_o  (spi_sck_o),
      .spi_mosi_o (spi_mosi_o),
      .spi_miso_i (spi_miso_i)
    );
  end else begin : g_no_spi
    assign spi_rdata  = '0;
    assign spi_busy   = 1'b0;
    assign spi_cs_no  = 1'b1;
    assign spi_sck_o  = 1'b0;
    assign spi_mosi_o = 1'b0;
    logic unused_spi;
    assign unused_spi = &{1'b0, spi_miso_i};
  end

  always_comb begin
    io_rdata = ({32{io_dec_q[0]}} & uart_rdata) | ({32{io_dec_q[1]}} & tmr_rdata) |
               ({32{io_dec_q[3]}} & info_rdata) | ({32{io_dec_q[4]}} & spi_rdata);
  end

  // ---------------------------------------------------------------------------------------
  // Boot ROM (BootRom): read at every cycle's address like the RAM (BusLate), the data used
  // only when the held address is in the ROM; writes to it are answered and ignored
  // ---------------------------------------------------------------------------------------
  logic [31:0] rom_rdata;
  logic        rs_rom_q;

  if (BootRom != 0) begin : g_rom
    systole_soc_rom #(
      .Words    (RomWords),
      .InitFile (BootRomFile)
    ) u_rom (
      .clk_i   (clk_i),
      .addr_i  (c_addr[2 +: $clog2(RomWords)]),
      .rdata_o (rom_rdata)
    );
  end else begin : g_no_rom
    assign rom_rdata = '0;
  end

  // ---------------------------------------------------------------------------------------
  // Systole CSRs through the AXI4-Lite bridge
  // ---------------------------------------------------------------------------------------
  logic        br_ready, br_err;
  logic [31:0] br_rdata;
  logic [11:0] axil_awaddr, axil_araddr;
  logic        axil_awvalid, axil_awready, axil_wvalid, axil_wready;
  logic [31:0] axil_wdata, axil_rdata;
  logic [3:0]  axil_wstrb;
  logic [1:0]  axil_bresp, axil_rresp;
  logic        axil_bvalid, axil_bready, axil_arvalid, axil_arready, axil_rvalid, axil_rready;

  systole_soc_axil_bridge u_bridge (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .req_i       (c_valid && sel_csr),
    .addr_i      (c_addr[11:0]),
    .wstrb_i     (c_wstrb),
    .wdata_i     (c_wdata),
    .ready_o     (br_ready),
    .rdata_o     (br_rdata),
    .err_o       (br_err),
    .m_awaddr_o  (axil_awaddr),
    .m_awvalid_o (axil_awvalid),
    .m_awready_i (axil_awready),
    .m_wdata_o   (axil_wdata),
    .m_wstrb_o   (axil_wstrb),
    .m_wvalid_o  (axil_wvalid),
    .m_wready_i  (axil_wready),
    .m_bresp_i   (axil_bresp),
    .m_bvalid_i  (axil_bvalid),
    .m_bready_o  (axil_bready),
    .m_araddr_o  (axil_araddr),
    .m_arvalid_o (axil_arvalid),
    .m_arready_i (axil_arready),
    .m_rdata_i   (axil_rdata),
    .m_rresp_i   (axil_rresp),
    .m_rvalid_i  (axil_rvalid),
    .m_rready_o  (axil_rready)
  );

  // ---------------------------------------------------------------------------------------
  // Main memory: the core port (or the loader) and the accelerator's AXI4 master
  // ---------------------------------------------------------------------------------------
  logic                      mm_valid, mm_ready;
  logic [31:0]               mm_addr, mm_wdata, mm_rdata;
  logic [3:0]                mm_wstrb;

  logic [AxiIdWidth-1:0]     axi_awid, axi_bid, axi_arid, axi_rid;
  logic [31:0]               axi_awaddr, axi_araddr;
  logic [7:0]                axi_awlen, axi_arlen;
  logic [2:0]                axi_awsize, axi_arsize;
  logic [1:0]                axi_awburst, axi_arburst, axi_bresp, axi_rresp;
  logic                      axi_awvalid, axi_awready, axi_wlast, axi_wvalid, axi_wready;
  logic                      axi_bvalid, axi_bready, axi_arvalid, axi_arready;
  logic                      axi_rlast, axi_rvalid, axi_rready;
  logic [AxiDataWidth-1:0]   axi_wdata, axi_rdata;
  logic [AxiDataWidth/8-1:0] axi_wstrb;

  assign mm_valid = ld_main || ((BusLate != 0) ? (late_go && rs_main_q) : (c_valid && sel_main));
  assign mm_addr  = b_addr;
  assign mm_wstrb = b_wstrb;
  assign mm_wdata = b_wdata;

  systole_soc_mainmem #(
    .AxiDataWidth (AxiDataWidth),
    .AxiIdWidth   (AxiIdWidth),
    .MainBytes    (MainBytes),
    .MainBase     (MainBase)
  ) u_main (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .c_valid_i   (mm_valid),
    .c_addr_i    (mm_addr),
    .c_wstrb_i   (mm_wstrb),
    .c_wdata_i   (mm_wdata),
    .c_ready_o   (mm_ready),
    .c_rdata_o   (mm_rdata),
    .s_awid_i    (axi_awid),
    .s_awaddr_i  (axi_awaddr),
    .s_awlen_i   (axi_awlen),
    .s_awsize_i  (axi_awsize),
    .s_awburst_i (axi_awburst),
    .s_awvalid_i (axi_awvalid),
    .s_awready_o (axi_awready),
    .s_wdata_i   (axi_wdata),
    .s_wstrb_i   (axi_wstrb),
    .s_wlast_i   (axi_wlast),
    .s_wvalid_i  (axi_wvalid),
    .s_wready_o  (axi_wready),
    .s_bid_o     (axi_bid),
    .s_bresp_o   (axi_bresp),
    .s_bvalid_o  (axi_bvalid),
    .s_bready_i  (axi_bready),
    .s_arid_i    (axi_arid),
    .s_araddr_i  (axi_araddr),
    .s_arlen_i   (axi_arlen),
    .s_arsize_i  (axi_arsize),
    .s_arburst_i (axi_arburst),
    .s_arvalid_i (axi_arvalid),
    .s_arready_o (axi_arready),
    .s_rid_o     (axi_rid),
    .s_rdata_o   (axi_rdata),
    .s_rresp_o   (axi_rresp),
    .s_rlast_o   (axi_rlast),
    .s_rvalid_o  (axi_rvalid),
    .s_rready_i  (axi_rready)
  );

  // ---------------------------------------------------------------------------------------
  // The accelerator
  // ---------------------------------------------------------------------------------------
  systole_top #(
    .Rows          (Rows),
    .Cols          (Cols),
    .SpadBytes     (SpadBytes),
    .AccBytes      (AccBytes),
    .QParamLines   (QParamLines),
    .AxiDataWidth  (AxiDataWidth),
    .AxiAddrWidth  (32),
    .AxiIdWidth    (AxiIdWidth),
    .ReadsInFlight (ReadsInFlight),
    .QueueDepth    (QueueDepth),
    .WritesInFlight(WritesInFlight),
    .StoreRows     (StoreRows),
    .FetchDepth    (FetchDepth),
    .HasSoftmax    (HasSoftmax),
    .PerfFull      (PerfFull),
    .UseIce40Dsp   (UseIce40Dsp),
    .SpadReadPorts (SpadReadPorts),
    .AccReadPorts  (AccReadPorts),
    .SerialRequant (SerialRequant),
    .LdSerial      (LdSerial),
    .SerialStore   (SerialStore),
    .CsrRam        (CsrRam),
    .DmaAddrMask   (DmaAddrMask),
    .DmaSizeMask   (DmaSizeMask),
    .RingBits      (RingBits)
  ) u_acc (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .s_axil_awaddr_i  (axil_awaddr),
    .s_axil_awvalid_i (axil_awvalid),
    .s_axil_awready_o (axil_awready),
    .s_axil_wdata_i   (axil_wdata),
    .s_axil_wstrb_i   (axil_wstrb),
    .s_axil_wvalid_i  (axil_wvalid),
    .s_axil_wready_o  (axil_wready),
    .s_axil_bresp_o   (axil_bresp),
    .s_axil_bvalid_o  (axil_bvalid),
    .s_axil_bready_i  (axil_bready),
    .s_axil_araddr_i  (axil_araddr),
    .s_axil_arvalid_i (axil_arvalid),
    .s_axil_arready_o (axil_arready),
    .s_axil_rdata_o   (axil_rdata),
    .s_axil_rresp_o   (axil_rresp),
    .s_axil_rvalid_o  (axil_rvalid),
    .s_axil_rready_i  (axil_rready),
    .m_axi_awid_o     (axi_awid),
    .m_axi_awaddr_o   (axi_awaddr),
    .m_axi_awlen_o    (axi_awlen),
    .m_axi_awsize_o   (axi_awsize),
    .m_axi_awburst_o  (axi_awburst),
    .m_axi_awvalid_o  (axi_awvalid),
    .m_axi_awready_i  (axi_awready),
    .m_axi_wdata_o    (axi_wdata),
    .m_axi_wstrb_o    (axi_wstrb),
    .m_axi_wlast_o    (axi_wlast),
    .m_axi_wvalid_o   (axi_wvalid),
    .m_axi_wready_i   (axi_wready),
    .m_axi_bid_i      (axi_bid),
    .m_axi_bresp_i    (axi_bresp),
    .m_axi_bvalid_i   (axi_bvalid),
    .m_axi_bready_o   (axi_bready),
    .m_axi_arid_o     (axi_arid),
    .m_axi_araddr_o   (axi_araddr),
    .m_axi_arlen_o    (axi_arlen),
    .m_axi_arsize_o   (axi_arsize),
    .m_axi_arburst_o  (axi_arburst),
    .m_axi_arvalid_o  (axi_arvalid),
    .m_axi_arready_i  (axi_arready),
    .m_axi_rid_i      (axi_rid),
    .m_axi_rdata_i    (axi_rdata),
    .m_axi_rresp_i    (axi_rresp),
    .m_axi_rlast_i    (axi_rlast),
    .m_axi_rvalid_i   (axi_rvalid),
    .m_axi_rready_o   (axi_rready),
    .irq_o            (acc_irq),
    .idle_o           (acc_idle_o)
  );

  assign acc_irq_o = acc_irq;

  // ---------------------------------------------------------------------------------------
  // Response to the core
  // ---------------------------------------------------------------------------------------
  // Each device's ready is high only for its own request (the bridge's, io_ack_q and
  // unm_ack_q by construction, ram_rd_q after a core RAM read; the main memory's ready and
  // a RAM write's are qualified by the decode), so
  // the ready is their OR. The read data's selects are the decode registered: a read's data
  // comes at least one cycle after its request, whose address is held.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      unm_ack_q <= 1'b0;
      rs_ram_q  <= 1'b0;
      rs_rom_q  <= 1'b0;
      rs_main_q <= 1'b0;
      rs_csr_q  <= 1'b0;
    end else begin
      unm_ack_q <= c_valid && !(sel_ram || sel_io || sel_csr || sel_main || sel_rom) &&
                   !unm_ack_q;
      rs_ram_q  <= sel_ram;
      rs_rom_q  <= sel_rom;
      rs_main_q <= sel_main;
      rs_csr_q  <= sel_csr;
    end
  end

  // (BusLate: a RAM read's ram_rd_q follows any core read, so it is qualified by the
  // registered decode, and so is the main memory's ready, which the generic module raises
  // for any write strobes)
  if (BusLate != 0) begin : g_late
    assign late_go = cont_q;
    assign c_ready = ram_wr_late || (late_go && rs_main_q && mm_ready) ||
                     (ram_rd_q && rs_ram_q) || io_ack_q || unm_ack_q || br_ready ||
                     (ram_rd_q && rs_rom_q) || (late_go && rs_rom_q && c_write);
  end else begin : g_early
    assign late_go = 1'b0;
    assign c_ready = (c_write && sel_ram) || (sel_main && mm_ready) || ram_rd_q || io_ack_q ||
                     unm_ack_q || br_ready;
  end
  assign c_err   = unm_ack_q || br_err;
  // (the bridge's read data is the accelerator's R data, which need not be 0 between reads)
  // The regions are disjoint, so at most one rs_*_q is set: an AND-OR in two LUT levels per
  // bit (the core's kept one-LUT helpers, so that the mapper keeps it that shallow; a
  // priority chain took three), the FETCH decode behind it. The main memory's read data
  // (the SPRAMs' outputs through their bank mux, the latest) enters in the last level.
  logic [31:0] rd_a, rd_b;
  systole_rv32_ao2 #(.W(32)) u_rd_a (
    .sa_i(rs_ram_q), .a_i(ram_rdata), .sb_i(rs_rom_q), .b_i(rom_rdata), .y_o(rd_a)
  );
  systole_rv32_ao #(.W(32)) u_rd_b (
    .s_i(rs_csr_q), .a_i(br_rdata), .b_i(io_rdata_q), .y_o(rd_b)
  );
  systole_rv32_ao3 #(.W(32)) u_rd (
    .s_i(rs_main_q), .a_i(mm_rdata), .b_i(rd_a), .c_i(rd_b), .y_o(c_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // Parameter checks
  // ---------------------------------------------------------------------------------------
  initial begin
    if (RamBytes < 8 || RamBytes % 4 != 0 || RamBytes > 32'h1000_0000)
      $fatal(1, "systole_soc: RamBytes must be a multiple of 4 in 8..256 MiB");
    if (MainBytes < 1 || MainBytes > 32'h4000_0000)
      $fatal(1, "systole_soc: MainBytes must be in 1..1 GiB");
    if (BootRom != 0 && BusLate == 0)
      $fatal(1, "systole_soc: BootRom needs BusLate = 1");
    if (BootRom != 0 && (BootRomBytes < 8 || (BootRomBytes & (BootRomBytes - 1)) != 0 ||
                         BootRomBytes > 32'h0800_0000 || RamBytes > 32'h0800_0000))
      $fatal(1, "systole_soc: BootRomBytes must be a power of two >= 8 (and the RAM below the ROM)");
  end
endmodule
